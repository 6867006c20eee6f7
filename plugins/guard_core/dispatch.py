"""一条消息只经过一个 NoneBot 事件响应器：几个便宜的字符串检查决定交给哪些处理函数。

为什么不用每个插件各自的 `on_command` / `on_message`：NoneBot 对每个事件响应器、每条消息都要
建任务组、解依赖、检查规则；`on_command` 的规则参数 Command()/CommandArg()/CommandWhitespace()
还是同步依赖，每个命令响应器每条消息要到线程池里跑三趟。五个命令加四个消息响应器让每条
普通闲聊多花约 4 ms，几乎全是框架的调度。这里的做法：

- 只注册一个消息事件响应器（和 `on_message` 建的一样），它的规则是 `PlanRule`（直接重写 `__call__`，不走依赖注入）；
- 规则里先整理消息段（intake），再按顺序问每个路由“这条要不要你管”，闲聊几微秒内被拒绝，
  根本不进处理函数（处理函数一运行 NoneBot 就要记日志）；
- 命令由 `CommandTable` 自己识别：`command_start` 取自配置，最长前缀匹配、参数保留为剩下的
  消息段（`/faq add` 带图照样可用），和 NoneBot 的 `on_command` 规则一致；
- 顺序与原来各响应器的优先级一致：误报回复 → 命令 → 链接扫描 → @机器人 → 旁听；
  `block` 的路由命中后不再看后面的。
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from nonebot import get_driver, get_plugin_by_module_name
from nonebot.adapters import Bot, Event, Message, MessageSegment
from nonebot.exception import NoneBotException
from nonebot.log import logger
from nonebot.matcher import Matcher, MatcherSource
from nonebot.permission import Permission
from nonebot.plugin.on import store_matcher
from nonebot.rule import Rule
from nonebot.typing import T_DependencyCache, T_State

from cardguard.settings import GroupSettings

from .chat import chat_of
from .intake import Intake
from .runtime import Runtime

try:
    from nonebot.adapters.onebot.v11 import GroupMessageEvent as OBGroupEvent
    from nonebot.adapters.onebot.v11 import MessageEvent as OBMessageEvent
except ImportError:  # pragma: no cover
    OBGroupEvent = OBMessageEvent = None  # type: ignore[assignment, misc]

T = TypeVar("T")
PLAN_KEY = "cardguard.plan"
COMMAND_ORDER = 5  # 原来 on_command 的优先级：误报回复（4）之后、链接扫描（10）之前

StepCall = Callable[[Bot, Event], Awaitable[None]]
MessageHandler = Callable[[Bot, Event], Awaitable[None]]
CommandHandler = Callable[[Bot, Event, Message], Awaitable[None]]
PayloadHandler = Callable[[Bot, Event, T], Awaitable[None]]


class Glance(NamedTuple):
    """规则里只算一次的要点：所在群（私聊为 None）、纯文本、是否 @机器人、原始消息段的类型、
    所在群的设置。"""

    event: Event
    group: str | None
    text: str
    to_me: bool
    kinds: set[str]
    settings: GroupSettings


def glance_of(event: Event, runtime: Runtime) -> Glance:
    """从消息事件取要点；OneBot 事件直接读字段，其他适配器借用 `chat_of`。"""
    if OBMessageEvent is not None and isinstance(event, OBMessageEvent):
        group = str(event.group_id) if isinstance(event, OBGroupEvent) else None
        kinds = {seg.type for seg in event.original_message}
        text, to_me = event.message.extract_plain_text(), event.to_me
    else:
        chat = chat_of(event)
        group, text, to_me = chat.group, chat.text, chat.to_me
        kinds = {seg["type"] for seg in chat.segments}
    return Glance(event, group, text, to_me, kinds, runtime.settings(group))


class Step(NamedTuple):
    """计划里的一步：路由名（写日志用）和要执行的函数。"""

    name: str
    call: StepCall


class Picker(Protocol):
    """路由表里的一项：名字、顺序、命中后是否拦住后面的，以及对一条消息的判断。"""

    name: str
    order: int
    block: bool

    def pick(self, glance: Glance) -> Step | None:
        """这条消息归不归它；归它就返回要执行的一步。"""
        ...


@dataclass(frozen=True)
class Route:
    """一个消息路由：`wants` 是便宜的预检；命中后执行 `handle`；`block` 命中后不再看后面的路由。"""

    name: str
    order: int
    block: bool
    wants: Callable[[Glance], bool]
    handle: MessageHandler

    def pick(self, glance: Glance) -> Step | None:
        """这条消息归不归这个路由。"""
        return Step(self.name, self.handle) if self.wants(glance) else None


@dataclass(frozen=True)
class Decision(Generic[T]):
    """要先算一下才知道做不做的路由（例如旁听：匹配了才知道有没有把握回答）。

    `decide` 在规则里运行：返回 None 就是不做，处理函数不运行（NoneBot 运行一次处理函数要几百微秒，
    大多数像问句的闲聊最后并不回答）；否则把结果交给 `handle`。`decide` 出错只记日志、当作不做。
    """

    name: str
    order: int
    block: bool
    decide: Callable[[Glance], T | None]
    handle: PayloadHandler[T]

    def pick(self, glance: Glance) -> Step | None:
        """算一下；要做就返回带着结果的一步。"""
        try:
            found = self.decide(glance)
        except Exception as exc:
            message_id = getattr(glance.event, "message_id", None)
            logger.opt(exception=exc).error(f"判断消息 {message_id} 的 {self.name} 出错")
            return None
        if found is None:
            return None
        handle = self.handle

        async def call(bot: Bot, event: Event) -> None:
            await handle(bot, event, found)

        return Step(self.name, call)


@dataclass(frozen=True)
class CommandSpec:
    """一个命令：规范名、全部名字、是否要求命令和参数之间有空白（同 NoneBot 的 force_whitespace）。"""

    name: str
    names: tuple[str, ...]
    handle: CommandHandler
    force_whitespace: bool | str | None = None

    def accepts(self, arg: Message, whitespace: str | None) -> bool:
        """与 NoneBot 的 CommandRule 相同：有参数时检查命令后的空白。"""
        if self.force_whitespace is None or not arg:
            return True
        if isinstance(self.force_whitespace, str):
            return self.force_whitespace == whitespace
        return self.force_whitespace == (whitespace is not None)


@dataclass
class CommandTable:
    """自己识别命令：`命令前缀 + 命令名` 的最长前缀匹配，参数是剩下的消息段。"""

    starts: tuple[str, ...] = ("/",)
    name: str = "command"
    order: int = COMMAND_ORDER
    block: bool = True  # 和原来的 on_command(block=True) 一样：命令不再扫链接、不再回答
    _keys: list[tuple[str, CommandSpec]] = field(default_factory=list, init=False)
    _first: frozenset[str] = field(default=frozenset(), init=False)

    @property
    def has_commands(self) -> bool:
        """是否登记过命令。"""
        return bool(self._keys)

    def add(self, spec: CommandSpec) -> None:
        """登记一个命令的所有名字（每个命令前缀各一个）。"""
        for start in self.starts:
            for name in spec.names:
                self._keys.append((f"{start}{name}", spec))
        self._keys.sort(key=lambda item: len(item[0]), reverse=True)
        self._first = frozenset(key[0] for key, _ in self._keys if key)

    def parse(self, message: Message) -> tuple[CommandSpec, Message] | None:
        """消息是不是我们的命令；是的话返回（命令，参数）。闲聊在第一个字符处就被排除。"""
        first = next(iter(message), None)  # Message[0] 要走重载分派，比迭代慢得多
        if first is None or not first.is_text():
            return None
        head = _text_of(first).lstrip()
        if not head or head[0] not in self._first:
            return None
        key, spec = next(((k, s) for k, s in self._keys if head.startswith(k)), ("", None))
        if spec is None:
            return None
        arg, whitespace = _command_arg(message, first, head[len(key) :])
        return (spec, arg) if spec.accepts(arg, whitespace) else None

    def pick(self, glance: Glance) -> Step | None:
        """路由表接口：是我们的命令就返回执行它的一步。

        先看纯文本的第一个字：命令的第一个消息段是文字，纯文本就以它开头，
        所以第一个非空白字符不是任何命令的首字时，一定不是命令（闲聊到此为止）。
        """
        if glance.text.lstrip()[:1] not in self._first:
            return None
        found = self.parse(glance.event.get_message())
        if found is None:
            return None
        spec, arg = found

        async def call(bot: Bot, event: Event) -> None:
            await spec.handle(bot, event, arg)

        return Step(f"/{spec.name}", call)


def _text_of(segment: MessageSegment) -> str:
    text = segment.data.get("text") if isinstance(segment.data, dict) else None
    return text if isinstance(text, str) else str(segment)


def _command_arg(message: Message, first: MessageSegment, rest: str) -> tuple[Message, str | None]:
    """命令后面的参数（和 NoneBot 的 TrieRule 一样：空白之后的文字 + 后面的消息段）和那段空白。

    文字直接做成文本段，不按 CQ 码解析：群友写的 `[CQ:...]` 还是原样的文字。
    """
    tail = message.copy()
    tail.pop(0)
    stripped = rest.lstrip()
    while not stripped and tail and tail[0].is_text():
        rest += _text_of(tail.pop(0))
        stripped = rest.lstrip()
    gap = len(rest) - len(stripped)
    whitespace = rest[:gap] if (stripped or tail) and gap > 0 else None
    if stripped:
        tail.insert(0, type(first)("text", {"text": stripped}))
    return tail, whitespace


class Dispatcher:
    """路由表：插件在加载时登记命令和消息路由；规则里做计划，处理函数里按计划执行。"""

    def __init__(self, intake: Intake, command_start: Iterable[str] = ("/",)) -> None:
        self.intake = intake
        self.commands = CommandTable(tuple(sorted(set(command_start))))
        self._routes: list[Route | Decision[Any]] = []
        self._table: tuple[Picker, ...] = ()

    def command(
        self, name: str, *aliases: str, force_whitespace: bool | str | None = None
    ) -> Callable[[CommandHandler], CommandHandler]:
        """登记命令（装饰器）：处理函数收到 bot、event 和参数消息。"""

        def register(handle: CommandHandler) -> CommandHandler:
            self.commands.add(CommandSpec(name, (name, *aliases), handle, force_whitespace))
            self._rebuild()
            return handle

        return register

    def route(
        self, name: str, *, order: int, block: bool, wants: Callable[[Glance], bool]
    ) -> Callable[[MessageHandler], MessageHandler]:
        """登记消息路由（装饰器）：`wants` 必须便宜，它对每条消息都要跑。"""

        def register(handle: MessageHandler) -> MessageHandler:
            self._routes.append(Route(name, order, block, wants, handle))
            self._rebuild()
            return handle

        return register

    def decision(
        self, name: str, *, order: int, block: bool, decide: Callable[[Glance], T | None]
    ) -> Callable[[PayloadHandler[T]], PayloadHandler[T]]:
        """登记要先算一下的路由（装饰器）：处理函数收到 bot、event 和 `decide` 的结果。"""

        def register(handle: PayloadHandler[T]) -> PayloadHandler[T]:
            self._routes.append(Decision(name, order, block, decide, handle))
            self._rebuild()
            return handle

        return register

    def _rebuild(self) -> None:
        pickers: list[Picker] = list(self._routes)
        if self.commands.has_commands:
            pickers.append(self.commands)
        self._table = tuple(sorted(pickers, key=lambda p: p.order))

    def plan(self, bot: Bot, event: Event) -> tuple[Step, ...]:
        """这条消息要做的事（按顺序）；闲聊返回空元组。"""
        if not self.intake.accept(bot, event):
            return ()
        glance = glance_of(event, self.intake.runtime)
        steps: tuple[Step, ...] = ()
        for picker in self._table:
            step = picker.pick(glance)
            if step is not None:
                steps += (step,)
                if picker.block:
                    break
        return steps

    async def run(self, bot: Bot, event: Event, steps: tuple[Step, ...]) -> None:
        """按计划执行：先在本群的队里拿到名额；一步出错记日志，不影响后面的步骤。"""
        release = await self.intake.enter(bot, event)
        if release is None:
            return
        try:
            for step in steps:
                await _run_step(step, bot, event)
        finally:
            release()


async def _run_step(step: Step, bot: Bot, event: Event) -> None:
    try:
        await step.call(bot, event)
    except NoneBotException:
        raise
    except Exception as exc:
        message_id = getattr(event, "message_id", None)
        logger.opt(exception=exc).error(f"处理消息 {message_id} 的 {step.name} 出错")


class PlanRule(Rule):
    """事件响应器的规则：直接重写 `__call__`，不经 NoneBot 的依赖注入和任务组。

    计划放进 state，处理函数照着执行；空计划（闲聊）就是“不匹配”。
    """

    __slots__ = ("dispatcher",)

    def __init__(self, dispatcher: Dispatcher) -> None:
        super().__init__()
        self.dispatcher = dispatcher

    def __repr__(self) -> str:
        return "PlanRule()"

    async def __call__(
        self,
        bot: Bot,
        event: Event,
        state: T_State,
        stack: AsyncExitStack | None = None,
        dependency_cache: T_DependencyCache | None = None,
    ) -> bool:
        steps = self.dispatcher.plan(bot, event)
        if not steps:
            return False
        state[PLAN_KEY] = steps
        return True


def create_dispatcher(intake: Intake) -> Dispatcher:
    """建路由表和它唯一的事件响应器。

    和 `on_message(priority=COMMAND_ORDER)` 建的一样，只是两处不同：规则直接是 `PlanRule`
    （`on_message` 会把它和空 Rule 合并成普通 Rule，丢掉子类）；源码位置由这里给出——`on_message`
    用 `inspect.getmodule` 找调用者，第一次调用要把已导入的六百多个模块逐个 realpath，启动多花约 30 毫秒。
    """
    dispatcher = Dispatcher(intake, get_driver().config.command_start)
    plugin = get_plugin_by_module_name(__name__)
    here = inspect.currentframe()
    source = MatcherSource(
        plugin_id=plugin.id_ if plugin else None,
        module_name=__name__,
        lineno=here.f_lineno if here else None,
    )
    matcher = Matcher.new(
        "message", PlanRule(dispatcher), Permission(), priority=COMMAND_ORDER, source=source
    )
    store_matcher(matcher)

    @matcher.handle()
    async def _dispatch(bot: Bot, event: Event, state: T_State) -> None:
        await dispatcher.run(bot, event, state[PLAN_KEY])

    return dispatcher


__all__ = [
    "CommandHandler",
    "Decision",
    "Dispatcher",
    "Glance",
    "MessageHandler",
    "Picker",
    "PlanRule",
    "Step",
    "create_dispatcher",
    "glance_of",
]
