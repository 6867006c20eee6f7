# 卡盟安全助手（CardGuard）机器人镜像。
# 用法见 README：cp .env.example .env，填好 ONEBOT_ACCESS_TOKEN 和 SUPERUSERS，再 docker compose up -d。
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8080 \
    LOCALSTORE_DATA_DIR=/data \
    CARDGUARD_CONSOLE=false

WORKDIR /app

# 非 root 用户；uid 1000 与 docker-compose.yml 里 NapCat 的 NAPCAT_UID 一致。
# /napcat-config 只给一次性的 napcat-init 服务写 NapCat 的连接配置用。
RUN useradd --create-home --uid 1000 --user-group cardguard \
    && mkdir -p /data /napcat-config \
    && chown cardguard:cardguard /data /napcat-config

# 先只装依赖（改代码不必重装依赖）：依赖列表直接取自 pyproject.toml。
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# 程序、随程序发布的知识库、NapCat 配置模板；最后把本项目装成可编辑的包（python -m cardguard 在哪都能用）
COPY bot.py bot_adapter.py ./
COPY cardguard ./cardguard
COPY plugins ./plugins
COPY knowledge ./knowledge
COPY deploy ./deploy
RUN pip install --no-deps -e .
# 预先编译成字节码：镜像里不写 __pycache__（PYTHONDONTWRITEBYTECODE，而且程序目录对 cardguard 用户只读），
# 不编译的话每次启动都要把一百来个模块重新编译一遍。
RUN python -m compileall -q bot.py bot_adapter.py cardguard plugins

USER cardguard
# 管理员在群里改过的知识、各群设置、统计都在 /data
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, socket; socket.create_connection(('127.0.0.1', int(os.environ.get('PORT', '8080'))), 3).close()"]

CMD ["python", "bot.py"]
