# Pantau's own services (topic setup now; worker, intake and wall as they land).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY pantau ./pantau
COPY streams ./streams
COPY producers ./producers
COPY consumers ./consumers
COPY dashboards ./dashboards
COPY deploy ./deploy
RUN pip install --no-cache-dir . && useradd --system --uid 10001 pantau
USER pantau
ENTRYPOINT ["pantau"]
