#!/bin/sh
# Installs the Debian packages xmpp-gw needs to build and test. Does nothing
# when every package is already installed.
set -e
PKGS="build-essential pkg-config libstrophe-dev libglib2.0-dev libsqlite3-dev
libssl-dev libcmocka-dev prosody ejabberd python3-slixmpp python3-pytest sqlite3
ngircd inspircd atheme-services ca-certificates openssl
kannel kannel-extras libsoup-3.0-dev libjson-c-dev
libcurl4-openssl-dev libgmime-3.0-dev dovecot-imapd python3-aiosmtpd
groff-base man-db clang libclang-rt-dev prometheus"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# The packaged servers must not start system-wide services: tests run their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -q --no-install-recommends $missing
