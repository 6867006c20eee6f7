"""CardGuard 核心：知识库、文本归一化、匹配、链接识别与存储。不依赖 NoneBot。"""

__version__ = "0.1.0"
