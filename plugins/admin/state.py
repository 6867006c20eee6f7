"""admin 插件的单例：启动（加载插件）时打开数据目录并接到运行时。"""

from __future__ import annotations

from plugins.guard_core import plugin_dir, runtime

from .service import AdminService, create_service

service: AdminService = create_service(runtime, plugin_dir("data", __name__))
