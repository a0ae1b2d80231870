#!/bin/sh
# Copies the *.env.example files of this folder to *.env (never overwriting one that exists) and
# replaces each change-me-* placeholder with a random value: the same placeholder gets the same
# value in every file, so the passwords in GATEHOUSE_DATABASE_URL and GATEWAY_SESSION_STORE match
# postgres.env. The {placeholders} of gateway.env are left for you (see docs/deploy-docker.md).
set -eu
cd "$(dirname "$0")"

random() {
  if command -v openssl >/dev/null 2>&1; then openssl rand -hex 24
  else od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
  fi
}

created=
for example in *.env.example; do
  target=${example%.example}
  if [ -e "$target" ]; then
    echo "init-env: $target exists, left as it is"
  else
    cp "$example" "$target"
    chmod 600 "$target"
    created="$created $target"
  fi
done
[ -n "$created" ] || exit 0
for example in *.env.example; do
  case " $created " in *" ${example%.example} "*) ;; *)
    echo "init-env: warning: ${example%.example} was kept, so the passwords it shares with$created differ: copy them by hand" >&2 ;;
  esac
done

# shellcheck disable=SC2086
# Longest first, so no placeholder is replaced inside a longer one.
for placeholder in $(grep -ho 'change-me-[a-z0-9-]*' $created | sort -u | awk '{ print length($0), $0 }' | sort -rn | cut -d' ' -f2); do
  value=$(random)
  for f in $created; do
    sed "s/$placeholder/$value/g" "$f" > "$f.tmp" && cat "$f.tmp" > "$f" && rm -f "$f.tmp"
  done
done
echo "init-env: wrote$created"
