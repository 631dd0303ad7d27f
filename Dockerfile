# The vouchflow worker / gateway image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir '.[ocr]' \
    && useradd --create-home vouchflow \
    && mkdir -p /data && chown vouchflow /data
USER vouchflow
VOLUME ["/data"]
CMD ["python", "worker.py"]
