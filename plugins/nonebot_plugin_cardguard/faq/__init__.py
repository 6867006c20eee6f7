"""回答问题：/问、@机器人、私聊、旁听；/帮助；“你是不是想问”的编号回复；群管理回复“答错了”。"""

from . import ask as ask
from . import feedback as feedback
from . import passive as passive
