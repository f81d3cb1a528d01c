# Production image: gunicorn (web), or celery worker / beat with another command.
# The build context must not include .venv/, .data/ (embedded PostgreSQL/Redis
# data and sockets) or .git/: keep them out with a .dockerignore.

# Front-end assets: Digdir's Designsystemet CSS from npm (package.json
# `dependencies`, pinned by package-lock.json; the test tools are left out).
FROM node:22-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and a font for WeasyPrint (PDF invoices and reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# settings.STATICFILES_DIRS reads Designsystemet from node_modules/@digdir; collectstatic copies it.
COPY --from=assets /assets/node_modules/@digdir ./node_modules/@digdir

# Settings refuse to load without DATABASE_URL/REDIS_URL, or, when DEBUG is
# off, without a secret key of 50 or more characters. These dummy values exist
# only for this RUN (the key signs nothing); collectstatic opens no connection.
RUN DATABASE_URL=postgres://x@localhost/x \
    REDIS_URL=redis://localhost:6379/0 \
    DJANGO_SECRET_KEY=build-only-collectstatic-signs-nothing-with-this-dummy-key \
    python manage.py collectstatic --noinput

# Code and static files stay owned by root (read-only for the app user); only
# the media directory (a volume in docker-compose.yml) is writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app \
    && mkdir -p /app/.data/media \
    && chown app:app /app/.data/media
USER app

EXPOSE 8000
# A worker is replaced after 1,000 requests (jittered, so they do not all
# restart together): memory a worker grew to is given back.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--max-requests", "1000", "--max-requests-jitter", "100"]
