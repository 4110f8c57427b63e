# Pantau's own services: worker, intake, detector, notifier, wall, audit and the one-shots
# of docker-compose.yml.
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
# Mount points of compose's one-shot volumes: a new named volume takes the owner of its
# mount point, so the unprivileged user can write the certificates and the auth file.
RUN mkdir -p /tls /ca /auth && chown pantau /tls /ca /auth
USER pantau
ENTRYPOINT ["pantau"]
