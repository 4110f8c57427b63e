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
# mount point, so the unprivileged user can write the certificates, the auth file and
# the checkpointer's state (the Merkle tree's tiles).
RUN mkdir -p /tls /ca /auth /var/lib/pantau && chown pantau /tls /ca /auth /var/lib/pantau
USER pantau
ENTRYPOINT ["pantau"]
