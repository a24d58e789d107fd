FROM python:3.11-slim-bookworm
# WeasyPrint renders with Pango; DejaVu has the matrix's check and cross marks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
 && ADROIT_MANIFEST_STATIC=1 python manage.py collectstatic --noinput
ENV ADROIT_MANIFEST_STATIC=1 PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn config.wsgi --bind 0.0.0.0:${PORT} --workers 3 --timeout ${GUNICORN_TIMEOUT:-30} --access-logfile -"]
