FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend backend
COPY frontend frontend
RUN pip install --no-cache-dir . \
 && SECRET_KEY=build-only python backend/manage.py collectstatic --noinput
RUN useradd --system --uid 10001 village && chown -R village /app
USER village
EXPOSE 8000
CMD ["gunicorn", "--chdir", "backend", "--bind", "0.0.0.0:8000", "village.wsgi:application"]
