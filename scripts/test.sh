#!/usr/bin/env bash
# The whole test suite on a fresh Debian clone: installs the Debian packages the tests use, makes sure
# PostgreSQL, Mosquitto, NATS (JetStream) and Redis answer on 127.0.0.1 (starting them when not), then `npm ci` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
have ffmpeg || need_pkgs+=(ffmpeg)
have chromium || need_pkgs+=(chromium)
have mosquitto || need_pkgs+=(mosquitto)
have redis-server || need_pkgs+=(redis-server)
# NATS JetStream: the bus contract on 4222, and the cluster test's own 3 nodes (issue 16).
have nats-server || [ -x /usr/sbin/nats-server ] || need_pkgs+=(nats-server)
have pg_ctlcluster || need_pkgs+=(postgresql)
have unshare || need_pkgs+=(util-linux)
have ip || need_pkgs+=(iproute2)
# sipp plays a GB/T 28181 device against the SIP server (test/gb28181).
have sipp || need_pkgs+=(sip-tester)
# GStreamer's RTSP server (python3-gi) serves the simulated cameras' live streams: every element its pipeline uses
# must be there (clockoverlay comes with gstreamer1.0-x, x264enc with -ugly, rtph264pay with -good).
/usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst; Gst.init(None)
assert all(Gst.ElementFactory.find(e) for e in ["videotestsrc", "clockoverlay", "videoconvert", "x264enc", "rtph264pay"])' >/dev/null 2>&1 \
  || need_pkgs+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-x)
# Chromium draws the dashboard's Chinese in the browser tests with a system CJK font (the PDFs carry their own from npm).
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need_pkgs+=(fonts-noto-cjk)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "installing: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; echo "port $1 did not open" >&2; return 1; }

if ! port_open 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port 5432
fi
if ! port_open 1883; then
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883
fi
if ! port_open 4222; then
  nohup /usr/sbin/nats-server -a 127.0.0.1 -p 4222 -js -sd "${TMPDIR:-/tmp}/gridwatch-nats" >/dev/null 2>&1 &
  wait_port 4222
fi
if ! port_open 6379; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_port 6379
fi

npm ci --no-audit --no-fund
npm run check
npm test
