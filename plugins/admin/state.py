"""admin 插件的单例：启动（加载插件）时打开数据目录并接到运行时。"""

from __future__ import annotations

from nonebot_plugin_localstore import get_plugin_data_dir

from plugins.guard_core import runtime

from .service import AdminService, create_service

service: AdminService = create_service(runtime, get_plugin_data_dir())
