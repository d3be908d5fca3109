#!/usr/bin/env bash
# Nightly backup: PostgreSQL in custom format (pg_dump -Fc) plus the media folder (attachments).
# Example cron (as the xian user): 30 2 * * * /opt/xian/docs/deploy/backup.sh
# Keep the encryption keys (/etc/xian/field_key, secret_key) in a separate, offline backup.
set -euo pipefail

BACKUP_DIR="${BACKUP_DIR:-/var/backups/xian}"
KEEP_DAYS="${KEEP_DAYS:-30}"
ENV_FILE="${ENV_FILE:-/etc/xian/xian.env}"
set -a; . "$ENV_FILE"; set +a

stamp="$(date +%Y%m%d-%H%M%S)"
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"

# Database: consistent snapshot, compressed, restorable with pg_restore (any table, any order).
pg_dump -Fc --no-owner --dbname="$DATABASE_URL" --file="$target/db.dump"

# Attachments: the files and their SHA-256 (the database records each attachment's SHA-256 too).
tar -C "$(dirname "$MEDIA_ROOT")" -czf "$target/media.tar.gz" "$(basename "$MEDIA_ROOT")"
(cd "$MEDIA_ROOT" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$target/media.sha256"

sha256sum "$target/db.dump" "$target/media.tar.gz" >"$target/SHA256SUMS"
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -mtime "+$KEEP_DAYS" -exec rm -rf {} +
echo "backup written to $target"
