"""真实进程 + 真实 WebSocket：NapCat 式的对端连上 bot.py，@提问得到回答，闲聊没有回应。"""

from __future__ import annotations

import json

import pytest
import websockets

from cardguard.knowledge import load_knowledge

from .onebot_peer import group_frame, message_text, next_api_call, onebot_peer, running_bot

TOKEN = "e2e-secret"


@pytest.fixture(scope="module")
def bot_port():  # type: ignore[no-untyped-def]
    with running_bot(token=TOKEN) as port:
        yield port


async def test_at_question_is_answered_and_chatter_ignored(bot_port: int) -> None:
    expected = load_knowledge().get("paid-no-delivery")
    assert expected is not None
    async with onebot_peer(bot_port, TOKEN) as ws:
        question = group_frame("付了钱一直不发货怎么办", at_bot=True)
        await ws.send(json.dumps(question))
        call = await next_api_call(ws, timeout=15)
        assert call is not None, "机器人没有回答 @ 提问"
        assert call["action"] in ("send_msg", "send_group_msg")
        params = call["params"]
        assert int(params["group_id"]) == question["group_id"]
        kinds = [seg["type"] for seg in params["message"]]
        assert kinds == ["reply", "text"], "回答应引用提问并且只含文本段"
        assert str(params["message"][0]["data"]["id"]) == str(question["message_id"])
        assert message_text(params) == expected.answer.strip()

        await ws.send(json.dumps(group_frame("今晚开黑吗 我显卡有点卡")))
        assert await next_api_call(ws, timeout=2) is None, "闲聊不应得到任何回应"


async def test_peer_without_token_is_refused(bot_port: int) -> None:
    url = f"ws://127.0.0.1:{bot_port}/onebot/v11/ws"
    headers = {"X-Self-ID": "900001", "X-Client-Role": "Universal"}
    with pytest.raises(websockets.InvalidStatus) as info:
        async with websockets.connect(url, additional_headers=headers):
            pass
    assert info.value.response.status_code in (401, 403)
