#!/usr/bin/env bash
# Screenshots of every page of every role at 1366×768 into screenshots/ (git ignores it):
#   ./scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE=config.test_settings
.venv/bin/pytest -q tests/browser/test_pages.py tests/browser/test_counter_workflows.py
echo "screenshots: $(ls screenshots/*.png | wc -l) pages in $(pwd)/screenshots/"
