"""下载失败的几种情况；`str(exc)` 是给人看的中文说明，不含完整网址（QQ 图片地址里带访问密钥）。"""

from __future__ import annotations


class FetchError(Exception):
    """下载失败（基类）。`kind` 是机器读的种类，`str(exc)` 是中文说明。"""

    kind = "error"


class BadUrl(FetchError):
    """网址不能下载：不是 http(s)、没有主机名、带用户名密码、端口不对。"""

    kind = "bad_url"


class UnsafeAddress(FetchError):
    """目标（或某一次跳转）解析到本机、内网、链路本地、保留等地址，没有连接。"""

    kind = "unsafe_address"


class FetchTimeout(FetchError):
    """整个下载（含跳转和慢慢吐出的内容）超过了总时限。"""

    kind = "timeout"


class TooLarge(FetchError):
    """解压后的内容超过了大小上限。"""

    kind = "too_large"


class TooManyRedirects(FetchError):
    """跳转次数超过上限（含跳转死循环）。"""

    kind = "too_many_redirects"


class BadStatus(FetchError):
    """服务器返回了错误状态码（4xx/5xx）或没有目标的跳转。"""

    kind = "bad_status"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class BadContent(FetchError):
    """内容类型不对、压缩方式不认识或压缩数据损坏。"""

    kind = "bad_content"


class NetworkError(FetchError):
    """连不上、域名解析失败、连接中途断开、协议错误。"""

    kind = "network"
