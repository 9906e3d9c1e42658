FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1
# The CPU build of torch, pinned, before anything that could pull a CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY domain domain
COPY application application
COPY adapters adapters
COPY bootstrap bootstrap
COPY migrations migrations
RUN pip install --no-cache-dir .
EXPOSE 8002
CMD ["ticket-utils", "serve", "--host", "0.0.0.0"]
