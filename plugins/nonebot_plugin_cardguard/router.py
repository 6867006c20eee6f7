"""一条消息只经过一个 NoneBot 事件响应器：规则里读一次消息（`Msg`），按顺序问每条路由“要不要管”。

为什么不是每个功能一个 `on_command` / `on_message`：NoneBot 对每个事件响应器、每条消息都要建任务、
解依赖、检查规则；`on_command` 的规则还有三个同步依赖，每条消息要到线程池里跑三趟。实测（bench，
见 ARCHITECTURE.md）五个 `on_command` 加三个 `on_message` 让每条群消息的 CPU 变成裸 NoneBot 的 6 倍，
而目标是 1.3 倍。所以只注册一个事件响应器，其余都是普通的函数调用：

- 命令仍由 NoneBot 认：`command()` 把命令名登记进 NoneBot 的前缀树（和 `on_command` 同一棵），
  NoneBot 分发前已经算好这条消息是哪个命令，这里只是查表；
- 每条路由是一个 `pick(msg)`：不归它管返回 None（闲聊几微秒内被全部拒绝，不进处理函数），
  归它管返回要执行的协程函数；`block` 的路由命中后不再看后面的；
- 要执行的消息在本群的队里拿名额（`GroupGate`）：一个群刷屏只排自己的队。
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import partial

from nonebot import get_plugin_by_module_name
from nonebot.adapters import Bot, Event
from nonebot.exception import NoneBotException
from nonebot.log import logger
from nonebot.matcher import Matcher, MatcherSource
from nonebot.permission import Permission
from nonebot.plugin.on import store_matcher
from nonebot.rule import Rule, command
from nonebot.typing import T_DependencyCache, T_State

from cardguard.pacing import GroupGate, QuietLog

from .outbox import Outbox
from .runtime import Runtime
from .view import Msg, build_msg

Job = Callable[[], Awaitable[None]]
Pick = Callable[[Msg], Job | None]
Handler = Callable[[Msg], Awaitable[None]]
COMMAND_ORDER = 5
PLAN_KEY = "cardguard.plan"
PRIORITY = 5


@dataclass(frozen=True)
class Route:
    """一条路由：名字（写日志用）、顺序、命中后是否拦住后面的、判断函数，
    以及“前面这些路由接下了就不用问我”的名字。"""

    name: str
    order: int
    block: bool
    pick: Pick
    unless: frozenset[str] = frozenset()


class Router:
    """路由表：各功能在导入时登记命令和路由；唯一的事件响应器的规则里做判断，处理函数里执行。"""

    def __init__(self, runtime: Runtime, outbox: Outbox) -> None:
        self.runtime = runtime
        self.outbox = outbox
        self.routes: list[Route] = [Route("command", COMMAND_ORDER, True, self._command)]
        self.commands: dict[tuple[str, ...], tuple[str, bool]] = {}
        self.handlers: dict[str, Handler] = {}
        self.gate = GroupGate()
        self._skips = QuietLog(60.0)

    def route(
        self, name: str, *, order: int, block: bool = True, unless: tuple[str, ...] = ()
    ) -> Callable[[Pick], Pick]:
        """登记一条路由（装饰器）。`pick` 对每条消息都要跑，必须便宜。

        `unless`：排在前面的这些路由已经接下这条消息时，不再问这条（比如链接识别要处理的消息，
        旁听就不再插嘴：一条消息机器人只说一次话）。
        """

        def register(pick: Pick) -> Pick:
            self.routes.append(Route(name, order, block, pick, frozenset(unless)))
            self.routes.sort(key=lambda r: r.order)
            return pick

        return register

    def command(self, *names: str, whitespace: bool = False) -> Callable[[Handler], Handler]:
        """登记命令（装饰器）：名字进 NoneBot 的命令前缀树，命令前缀取自 COMMAND_START；
        `whitespace`：命令和参数之间必须有空白（/faqxxx 不算 /faq）。"""

        def register(handler: Handler) -> Handler:
            command(*names)
            for name in names:
                self.commands[(name,)] = (names[0], whitespace)
            self.handlers[names[0]] = handler
            return handler

        return register

    def _command(self, msg: Msg) -> Job | None:
        handler = self.handlers.get(msg.command.name) if msg.command else None
        return None if handler is None else partial(handler, msg)

    def plan(
        self, bot: Bot, event: Event, state: T_State
    ) -> tuple[Msg | None, list[tuple[str, Job]]]:
        """读消息，返回它和要做的事（按顺序）；闲聊的计划是空列表。"""
        msg = build_msg(bot, event, self.runtime.settings, state, self.commands)
        if msg is None:
            return None, []  # 不是消息，或是机器人自己发的
        jobs: list[tuple[str, Job]] = []
        for route in self.routes:
            if route.unless and any(name in route.unless for name, _ in jobs):
                continue
            try:
                job = route.pick(msg)
            except Exception as exc:
                logger.opt(exception=exc).error(f"判断消息 {msg.message_id} 的 {route.name} 出错")
                continue
            if job is not None:
                jobs.append((route.name, job))
                if route.block:
                    break
        if jobs and self.outbox.said(msg.text):
            return msg, []  # 群友原样转贴了机器人刚说过的话（提醒、回答）：不再接话
        return msg, jobs

    async def run(self, msg: Msg, jobs: list[tuple[str, Job]]) -> None:
        """按计划执行：先在本群的队里拿名额（管理员的消息从不跳过）；一步出错记日志，不影响后面的步骤。"""
        release = await self.gate.enter(msg.lane, vip=msg.manager)
        if release is None:
            self._skipped(msg.lane)
            return
        try:
            for name, job in jobs:
                try:
                    await job()
                except NoneBotException:
                    raise
                except Exception as exc:
                    where = f"群 {msg.group}" if msg.group else "私聊"
                    logger.opt(exception=exc).error(
                        f"处理 {name} 出错（{where}，消息 {msg.message_id}）"
                    )
        finally:
            release()

    def _skipped(self, lane: str) -> None:
        muted = self._skips.tick(lane, self.runtime.now())
        if muted is not None:
            more = f"，上次记录以来又跳过 {muted} 条" if muted else ""
            where = "私聊" if lane.startswith("user:") else f"群 {lane}"
            logger.warning(f"{where}消息太多，排不上队的先跳过{more}；每分钟只记一次")


class PlanRule(Rule):
    """事件响应器的规则：直接重写 `__call__`（不经依赖注入）；计划放进 state，空计划就是“不匹配”。"""

    __slots__ = ("router",)

    def __init__(self, router: Router) -> None:
        super().__init__()
        self.router = router

    async def __call__(
        self,
        bot: Bot,
        event: Event,
        state: T_State,
        stack: AsyncExitStack | None = None,
        dependency_cache: T_DependencyCache | None = None,
    ) -> bool:
        if event.get_type() != "message":
            return False
        msg, jobs = self.router.plan(bot, event, state)
        if not jobs:
            return False
        state[PLAN_KEY] = (msg, jobs)
        return True


def create_router(runtime: Runtime, outbox: Outbox) -> Router:
    """建路由表和它唯一的事件响应器（和 `on_message(priority=5)` 建的一样，只是规则是 `PlanRule`）。"""
    router = Router(runtime, outbox)
    plugin = get_plugin_by_module_name(__name__)
    here = inspect.currentframe()
    source = MatcherSource(
        plugin_id=plugin.id_ if plugin else None,
        module_name=__name__,
        lineno=here.f_lineno if here else None,
    )
    matcher = Matcher.new(
        "message", PlanRule(router), Permission(), priority=PRIORITY, source=source
    )
    store_matcher(matcher)

    @matcher.handle()
    async def _dispatch(state: T_State) -> None:
        msg, jobs = state[PLAN_KEY]
        await router.run(msg, jobs)

    return router
