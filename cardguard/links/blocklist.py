"""共享拦截名单：订阅别人维护的域名清单（设置 CARDGUARD_BLOCKLISTS），每天后台更新一次。

清单格式（一行一个，# 或 ! 开头是注释）::

    kami-shop.example          纯域名（*.example.com、.example.com 也认）
    0.0.0.0 kami-shop.example  hosts 文件写法（一行可以有多个域名）
    ||kami-shop.example^       AdGuard / uBlock 写法（可带 $important）

别的广告过滤规则（元素隐藏 ##、例外 @@、正则、带其它 $ 选项的）静默跳过；真正看不懂的行
记下 文件:行号。一份清单里看不懂的行太多（超过 10% 且多于 5 行）或一个域名都没有，整份不采用。

保证：
- 最后一份好的清单存在调用方给的目录里（核心不自己决定数据放哪）：`<名字>.txt`，
  上一份好的是 `.prev.txt`；没采用的新内容存成 `.rejected.txt`，报错里的 文件:行号 指向它。
- 更新后域名数少了一半以上的不采用（记日志；命令行 `update --force` 可强制）。
- 坏掉的新版本、下载失败，都继续用上一份好的。
- 默认关闭：没配置任何地址时什么都不做。

`BlockLists.match(host)` 返回命中的清单名（主机或它的任一上级域名在清单里），否则 None；
它满足 `cardguard.links.report.HostList` 协议，可以直接交给 `scan(..., blocklist=...)`。
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..knowledge.yamlio import write_atomic
from ..net import FetchError, FetchOptions, fetch, private_allowed, short_url

log = logging.getLogger("cardguard.links")

DAY = 86_400.0
RETRY_AFTER = 3_600.0  # 下载失败后多久再试
MAX_LIST_BYTES = 32_000_000
MAX_HOSTS = 2_000_000  # 所有清单合计
BAD_SHARE = 0.10
BAD_ALLOWED = 5
SHRINK_LIMIT = 0.5
SHOWN_PROBLEMS = 5
STATE_FILE = "state.json"

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_ADGUARD_RE = re.compile(r"^\|\|([^\^/$|*]+)\^(?:\$(.*))?$")
_OK_OPTIONS = frozenset({"important", "all", "document", "doc", "popup"})
_LOCAL_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "local",
        "broadcasthost",
        "ip6-localhost",
        "ip6-loopback",
    }
)
_SPLIT_RE = re.compile(r"[\s,，;；]+")


@dataclass(frozen=True)
class ListSource:
    """一份订阅：地址（http(s) 网址或本机文件路径）和显示名。"""

    url: str
    name: str

    @property
    def is_remote(self) -> bool:
        return self.url.lower().startswith(("http://", "https://"))

    @property
    def slug(self) -> str:
        """存盘用的文件名主干：可读的一段 + 地址的哈希（不同地址不会撞名）。"""
        digest = hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:10]
        readable = re.sub(r"[^A-Za-z0-9._-]+", "-", self.name).strip("-.")[:40] or "list"
        return f"{readable}-{digest}"


def split_sources(setting: str) -> list[str]:
    """设置里的一串地址拆成一项一项（空白、逗号、分号隔开）。"""
    return [item.strip() for item in _SPLIT_RE.split(setting) if item.strip()]


def parse_sources(setting: str | Sequence[str] | None) -> list[ListSource]:
    """解析设置 CARDGUARD_BLOCKLISTS：地址之间用空白、逗号或分号分开；可写成 `名字=地址`。

    也接受已经拆好的列表。重复的地址只算一次。
    """
    if not setting:
        return []
    items = _SPLIT_RE.split(setting) if isinstance(setting, str) else list(setting)
    sources: dict[str, ListSource] = {}
    for raw in items:
        item = str(raw).strip()
        if not item:
            continue
        name, url = _named(item)
        if url not in sources:
            sources[url] = ListSource(url, name or _default_name(url))
    return list(sources.values())


def _named(item: str) -> tuple[str, str]:
    head, sep, tail = item.partition("=")
    if sep and head and "/" not in head and ":" not in head and tail:
        return head.strip(), tail.strip()
    return "", item


def _default_name(url: str) -> str:
    if "://" not in url:
        return Path(url).name or url
    text = short_url(url, 200)
    host, _, path = text.partition("/")
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    return f"{host}/{tail}" if tail else host


@dataclass(frozen=True)
class ParsedList:
    """解析一份清单的结果。fatal 非空表示整份不能用。"""

    hosts: frozenset[str]
    problems: tuple[str, ...]
    bad_lines: int
    ignored_lines: int
    fatal: str = ""


def normalize_host(text: str) -> str | None:
    """把一条清单里的主机名规范化（小写、去掉末尾的点、中文域名转 punycode）；不合法时为 None。"""
    host = text.strip().lower().rstrip(".")
    host = host.removeprefix("*.").lstrip(".")
    if not host or len(host) > 253:
        return None
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or not all(_LABEL_RE.match(p) for p in labels):
        return None
    return host


def _is_suffix_only(host: str) -> bool:
    """整个公共后缀（com.cn、github.io）不收：拉黑它会误伤无数网站。"""
    from .extract import split_host

    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        pass
    site, suffix = split_host(host)
    return not site and suffix == host


def parse_list(text: str, where: str) -> ParsedList:
    """解析清单文字；`where` 用在问题说明里（文件路径或清单名），问题写成 `where:行号: 说明`。"""
    hosts: set[str] = set()
    problems: list[str] = []
    bad = ignored = content = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith(("#", "!", "[")):
            continue
        content += 1
        found, verdict = _parse_line(line)
        if verdict == "ignored":
            ignored += 1
            continue
        if verdict:
            bad += 1
            if len(problems) < SHOWN_PROBLEMS:
                problems.append(f"{where}:{number}: {verdict}：{line[:60]}")
            continue
        hosts.update(found)
    if bad and len(problems) == SHOWN_PROBLEMS:
        problems.append(f"{where}: 还有更多看不懂的行，共 {bad} 行")
    fatal = ""
    if not hosts:
        fatal = "一个域名都没有（不是域名清单？）"
    elif bad > BAD_ALLOWED and bad > BAD_SHARE * content:
        fatal = f"{content} 行里有 {bad} 行看不懂，不像域名清单"
    return ParsedList(frozenset(hosts), tuple(problems), bad, ignored, fatal)


def _parse_line(line: str) -> tuple[list[str], str]:
    """一行 → (主机名列表, 结论)；结论为空串表示正常，"ignored" 表示认得但不用，其它是问题说明。"""
    if line.startswith("||"):
        return _adguard(line)
    if line.startswith(("@@", "/", "|", "&", "-")) or any(
        mark in line for mark in ("##", "#@#", "#?#", "#$#")
    ):
        return [], "ignored"  # 别的广告过滤规则：认得，但不是“整个域名拉黑”
    tokens = line.split("#", 1)[0].split()
    if not tokens:
        return [], "ignored"
    if len(tokens) > 1:
        return _hosts_line(tokens)
    if "/" in tokens[0]:
        return [], "不是域名（不要写网址或路径）"
    return _one_host(tokens[0])


def _adguard(line: str) -> tuple[list[str], str]:
    match = _ADGUARD_RE.match(line)
    if match is None:
        return [], "ignored"  # ||example.com/path、||*.ads^ 这类按网址匹配的规则不用
    options = {o.strip().lower() for o in (match.group(2) or "").split(",") if o.strip()}
    if options - _OK_OPTIONS:
        return [], "ignored"  # 带 $third-party 等限定的规则不是“整个域名都拉黑”
    return _one_host(match.group(1))


def _hosts_line(tokens: list[str]) -> tuple[list[str], str]:
    try:
        ipaddress.ip_address(tokens[0])
    except ValueError:
        return [], "一行里有多个词，但不是 hosts 文件写法（IP 地址 + 域名）"
    found: list[str] = []
    for token in tokens[1:]:
        if token.lower() in _LOCAL_NAMES:
            continue
        hosts, problem = _one_host(token)
        if problem:
            return [], problem
        found.extend(hosts)
    return found, ""


def _one_host(token: str) -> tuple[list[str], str]:
    if token.lower() in _LOCAL_NAMES:
        return [], "ignored"
    host = normalize_host(token)
    if host is None:
        return [], "不是合法的域名"
    if _is_suffix_only(host):
        return [], "只有公共后缀，整段拉黑会误伤"
    return [host], ""


@dataclass
class ListState:
    """一份清单的状态（存在 state.json 里）。时间是 Unix 秒。"""

    url: str
    name: str
    hosts: int = 0
    updated: float | None = None  # 最后一次采用新内容
    checked: float | None = None  # 最后一次尝试更新
    error: str = ""  # 最后一次尝试的问题（成功时清空）
    retry_soon: bool = False  # 上次是下载失败（一小时后重试）；新版本不合格则等到明天
    source: str = ""  # 现在用的是 current（最新一份好的）/ prev（上一份）/ 空


@dataclass(frozen=True)
class UpdateReport:
    """一次更新的结果。"""

    name: str
    accepted: bool
    hosts: int
    message: str
    problems: tuple[str, ...] = field(default_factory=tuple)


class BlockLists:
    """一组订阅的拦截名单。`match(host)` 在事件循环里调用（查字典，几微秒）；
    加载和解析在工作线程里做；`run()` 是后台的每日更新循环。"""

    def __init__(
        self,
        sources: Iterable[ListSource],
        directory: Path,
        *,
        fetch_options: FetchOptions | None = None,
        interval: float = DAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sources = list(sources)
        self.directory = Path(directory)
        self.fetch_options = fetch_options or list_fetch_options()
        self.interval = interval
        self.clock = clock
        self._table: dict[str, int] = {}
        self._lists: dict[str, frozenset[str]] = {}
        self.states: dict[str, ListState] = {s.url: ListState(s.url, s.name) for s in self.sources}
        self._lock = asyncio.Lock()

    @classmethod
    def from_setting(
        cls, setting: str | Sequence[str] | None, directory: Path, **kwargs: object
    ) -> BlockLists:
        """按设置 CARDGUARD_BLOCKLISTS 建；设置为空时得到一个什么都不拦的空对象。"""
        return cls(parse_sources(setting), directory, **kwargs)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return bool(self.sources)

    def __len__(self) -> int:
        return len(self._table)

    # ------------------------------------------------------------------ 查询

    def match(self, host: str) -> str | None:
        """主机或它的任一上级域名在某份清单里时，返回那份清单的名字；否则 None。"""
        table = self._table
        if not table or not host:
            return None
        name = host.lower().rstrip(".")
        while True:
            index = table.get(name)
            if index is not None:
                return self.sources[index].name
            dot = name.find(".")
            if dot < 0:
                return None
            name = name[dot + 1 :]

    # ------------------------------------------------------------------ 磁盘

    def load(self) -> list[str]:
        """读盘上最后一份好的清单（同步，放在线程里调用）；返回遇到的问题（中文，带 文件:行号）。"""
        problems: list[str] = []
        self._read_state(problems)
        for source in self.sources:
            state = self.states[source.url]
            parsed, used = self._load_one(source, problems)
            if parsed is not None:
                self._lists[source.url] = parsed.hosts
                state.hosts = len(parsed.hosts)
                state.source = used
        self._rebuild()
        for problem in problems:
            log.warning("拦截名单：%s", problem)
        return problems

    def _load_one(self, source: ListSource, problems: list[str]) -> tuple[ParsedList | None, str]:
        for label, path in (("current", self._path(source)), ("prev", self._path(source, ".prev"))):
            if not path.exists():
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: 读不了（{type(exc).__name__}）")
                continue
            parsed = parse_list(text, str(path))
            if parsed.fatal:
                problems.extend(parsed.problems)
                problems.append(f"{path}: {parsed.fatal}，不采用")
                continue
            return parsed, label
        return None, ""

    def _path(self, source: ListSource, kind: str = "") -> Path:
        return self.directory / f"{source.slug}{kind}.txt"

    def _read_state(self, problems: list[str]) -> None:
        path = self.directory / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: 状态文件读不了，重新记录（{type(exc).__name__}）")
            return
        if not isinstance(data, dict):
            return
        for url, saved in data.items():
            state = self.states.get(url)
            if state is None or not isinstance(saved, dict):
                continue
            for key in ("updated", "checked"):
                value = saved.get(key)
                if isinstance(value, int | float):
                    setattr(state, key, float(value))
            if isinstance(saved.get("error"), str):
                state.error = saved["error"]
            state.retry_soon = saved.get("retry_soon") is True

    def _write_state(self) -> None:
        data = {url: asdict(state) for url, state in self.states.items()}
        write_atomic(self.directory / STATE_FILE, json.dumps(data, ensure_ascii=False, indent=1))

    def _rebuild(self) -> None:
        table: dict[str, int] = {}
        for index, source in enumerate(self.sources):
            for host in self._lists.get(source.url, ()):
                if len(table) >= MAX_HOSTS:
                    log.warning("拦截名单合计超过 %d 个域名，后面的没有载入", MAX_HOSTS)
                    break
                table.setdefault(host, index)
        self._table = table  # 整个换掉：事件循环里的 match() 要么看到旧表，要么看到新表

    # ------------------------------------------------------------------ 更新

    def due(self, source: ListSource) -> bool:
        """这份清单该更新了吗：从没试过；上次试过已满一天；上次下载失败已满一小时。"""
        state = self.states[source.url]
        if state.checked is None:
            return True
        wait = RETRY_AFTER if state.retry_soon else self.interval
        return self.clock() - state.checked >= wait

    async def refresh(self, *, force: bool = False, only_due: bool = False) -> list[UpdateReport]:
        """下载（或重读本机文件）每份清单，合格的采用；force 时也采用缩水一半以上的新版本。"""
        reports: list[UpdateReport] = []
        async with self._lock:
            for source in self.sources:
                if only_due and not self.due(source):
                    continue
                reports.append(await self._refresh_one(source, force=force))
            await asyncio.to_thread(self._finish)
        return reports

    def _finish(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._rebuild()
        self._write_state()

    async def _refresh_one(self, source: ListSource, *, force: bool) -> UpdateReport:
        state = self.states[source.url]
        state.checked = self.clock()
        try:
            text = await self._download(source)
        except (FetchError, OSError, UnicodeDecodeError) as exc:
            message = _describe(exc)
            state.error = f"下载失败：{message}"
            state.retry_soon = True
            log.warning("拦截名单 %s 更新失败，继续用上一份：%s", source.name, message)
            return UpdateReport(source.name, False, state.hosts, state.error)
        report = await asyncio.to_thread(self._consider, source, text, force)
        state.error = "" if report.accepted else report.message
        state.retry_soon = False
        return report

    async def _download(self, source: ListSource) -> str:
        if not source.is_remote:
            path = Path(source.url).expanduser()
            data = await asyncio.to_thread(_read_capped, path)
            return data.decode("utf-8")
        result = await fetch(source.url, self.fetch_options)
        return result.content.decode("utf-8")

    def _consider(self, source: ListSource, text: str, force: bool) -> UpdateReport:
        """解析新内容，决定采用与否（在线程里）。"""
        self.directory.mkdir(parents=True, exist_ok=True)
        rejected = self._path(source, ".rejected")
        where = source.url if not source.is_remote else str(rejected)
        parsed = parse_list(text, where)
        old = len(self._lists.get(source.url, ()))
        new = len(parsed.hosts)
        problem = parsed.fatal
        if not problem and old and new < old * SHRINK_LIMIT and not force:
            problem = f"新版本只有 {new} 个域名（原来 {old} 个），少了一半以上"
        if problem:
            if source.is_remote:
                write_atomic(rejected, text)
            message = f"没有采用新版本：{problem}；继续用上一份（{old} 个域名）"
            log.error("拦截名单 %s %s", source.name, message)
            for line in parsed.problems:
                log.error("拦截名单：%s", line)
            return UpdateReport(source.name, False, old, message, parsed.problems)
        for line in parsed.problems:
            log.warning("拦截名单（已跳过这些行）：%s", line)
        current = self._path(source)
        if current.exists():
            os.replace(current, self._path(source, ".prev"))
        write_atomic(current, text)
        with contextlib.suppress(FileNotFoundError):
            rejected.unlink()
        self._lists[source.url] = parsed.hosts
        state = self.states[source.url]
        state.hosts, state.updated, state.source = new, self.clock(), "current"
        log.info("拦截名单 %s 已更新：%d 个域名", source.name, new)
        return UpdateReport(source.name, True, new, f"已更新，{new} 个域名", parsed.problems)

    async def run(self, *, first_delay: float = 0.0) -> None:
        """后台循环：先读盘上的清单，然后把该更新的更新掉，之后每小时看一次有没有到期的。

        插件在启动时 `asyncio.create_task(lists.run())`，关机时取消这个任务即可。
        """
        if not self.sources:
            return
        await asyncio.to_thread(self.load)
        if first_delay:
            await asyncio.sleep(first_delay)
        while True:
            try:
                await self.refresh(only_due=True)
            except Exception:  # 兜底：后台循环不能死，下一轮再试
                log.exception("拦截名单更新出错")
            await asyncio.sleep(min(self.interval, RETRY_AFTER))

    def status(self) -> list[ListState]:
        """每份清单的状态（给命令行和管理命令用）。"""
        return [self.states[s.url] for s in self.sources]


def list_fetch_options(allow_private: bool | None = None) -> FetchOptions:
    """下载清单的限制：60 秒、32 MB、只跟 5 次跳转。"""
    return FetchOptions(
        timeout=60.0,
        max_bytes=MAX_LIST_BYTES,
        allow_private=private_allowed(allow_private),
        accept="text/plain,*/*;q=0.5",
    )


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        raise OSError(f"文件超过 {MAX_LIST_BYTES} 字节")
    return data


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "不是 UTF-8 文本"
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    return str(exc) or type(exc).__name__
