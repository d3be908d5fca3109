#!/usr/bin/env bash
# Nightly backup: PostgreSQL in custom format (pg_dump -Fc) plus the media folder (attachments).
# Example cron (as the xian user): 30 2 * * * /opt/xian/docs/deploy/backup.sh
# Keep the encryption keys (/etc/xian/field_key, secret_key) in a separate, offline backup.
#
# Every file is written mode 0600 in a 0700 folder (umask 077): a backup holds every case file
# and the audit trail. With BACKUP_PASSPHRASE_FILE set (a file only the xian user can read), the
# dump and the media tarball are encrypted with gpg (symmetric AES-256; Debian's gnupg) as they
# are written — no plain copy touches the disk — as db.dump.gpg and media.tar.gz.gpg.
# Decrypt for a restore (docs/operations.md §7):
#   gpg --batch --pinentry-mode loopback --passphrase-file "$BACKUP_PASSPHRASE_FILE" -o db.dump -d db.dump.gpg
set -euo pipefail
umask 077

BACKUP_DIR="${BACKUP_DIR:-/var/backups/xian}"
KEEP_DAYS="${KEEP_DAYS:-30}"
ENV_FILE="${ENV_FILE:-/etc/xian/xian.env}"
set -a; . "$ENV_FILE"; set +a
PASSPHRASE_FILE="${BACKUP_PASSPHRASE_FILE:-}"

stamp="$(date +%Y%m%d-%H%M%S)"
target="$BACKUP_DIR/$stamp"
mkdir -p -m 0700 "$BACKUP_DIR" "$target"
chmod 0700 "$target"

# Writes stdin to $1, encrypted to $1.gpg when a passphrase file is configured; prints the name.
store() {
    if [[ -n $PASSPHRASE_FILE ]]; then
        gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file "$PASSPHRASE_FILE" \
            --symmetric --cipher-algo AES256 --output "$1.gpg"
        echo "$1.gpg" >>"$target/.written"
    else
        cat >"$1"
        echo "$1" >>"$target/.written"
    fi
}

# Database: consistent snapshot, compressed, restorable with pg_restore (any table, any order).
pg_dump -Fc --no-owner --dbname="$DATABASE_URL" | store "$target/db.dump"

# Attachments: the files and their SHA-256 (the database records each attachment's SHA-256 too).
tar -C "$(dirname "$MEDIA_ROOT")" -czf - "$(basename "$MEDIA_ROOT")" | store "$target/media.tar.gz"
(cd "$MEDIA_ROOT" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$target/media.sha256"

mapfile -t written <"$target/.written"
rm -f "$target/.written"
sha256sum "${written[@]}" >"$target/SHA256SUMS"
chmod 0600 "$target"/*
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -mtime "+$KEEP_DAYS" -exec rm -rf {} +
echo "backup written to $target$([[ -n $PASSPHRASE_FILE ]] && echo ' (encrypted with gpg)')"
