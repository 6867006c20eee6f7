"""管理员数据（不依赖 NoneBot）：问答覆盖层、各群设置、审核队列、审计日志、没答上的问题。"""

from .audit import AuditLog, Change, Record
from .errors import ConflictError, LimitError, NotFoundError, StoreError
from .formats import MAX_ALIASES, Overlay, Pending, build_entry, check_lengths, dump_entry
from .gaps import ALL_GROUPS, GapGroup, GapLog, cluster
from .images import ImageError, download_image, image_file, marker, save_image, split_answer
from .store import (
    AUDIT_FILE,
    ENTRIES_FILE,
    GAPS_FILE,
    GROUPS_FILE,
    PENDING_FILE,
    Actor,
    Limits,
    Store,
)
from .views import PAGE_SIZE, Page, clip, paginate, search_entries

__all__ = [
    "ALL_GROUPS",
    "AUDIT_FILE",
    "ENTRIES_FILE",
    "GAPS_FILE",
    "GROUPS_FILE",
    "MAX_ALIASES",
    "PAGE_SIZE",
    "PENDING_FILE",
    "Actor",
    "AuditLog",
    "Change",
    "ConflictError",
    "GapGroup",
    "GapLog",
    "ImageError",
    "LimitError",
    "Limits",
    "NotFoundError",
    "Overlay",
    "Page",
    "Pending",
    "Record",
    "Store",
    "StoreError",
    "build_entry",
    "check_lengths",
    "clip",
    "cluster",
    "download_image",
    "dump_entry",
    "image_file",
    "marker",
    "paginate",
    "save_image",
    "search_entries",
    "split_answer",
]
