"""群管理在群里维护问答和链接设置：/faq、/link、/guard（有权限、有审计、可撤销、重启不丢）。"""

from . import faq_edit as faq_edit
from . import faq_view as faq_view
from . import guard as guard
from . import learn as learn
