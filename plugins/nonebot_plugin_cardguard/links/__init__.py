"""卡盟链接：扫群消息里的链接（文字、卡片、二维码）→ 撤回、一条冷静的去链接化提醒、私聊告诉群管理；
群管理回复“误报”放行站点。"""

from nonebot import get_driver

from . import false_alarm as false_alarm
from . import guard as guard

driver = get_driver()
driver.on_startup(guard.start_blocklists)
driver.on_shutdown(guard.merger.close)
driver.on_shutdown(guard.stop_background)
