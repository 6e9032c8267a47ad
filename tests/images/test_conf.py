"""Settings of the images app: defaults, overrides and the environment."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from images import conf

ROOT = Path(__file__).resolve().parents[2]


class TestAnalysisColors:
    def test_analysis_colors_is_8_when_unset(self, settings):
        del settings.JANUS_ANALYSIS_COLORS
        assert conf.analysis_colors() == 8

    def test_analysis_colors_follows_the_setting(self, settings):
        settings.JANUS_ANALYSIS_COLORS = 3
        assert conf.analysis_colors() == 3

    def test_analysis_colors_below_1_is_improperly_configured(self, settings):
        settings.JANUS_ANALYSIS_COLORS = 0
        with pytest.raises(ImproperlyConfigured, match="at least 1"):
            conf.analysis_colors()

    def test_analysis_colors_is_read_from_the_environment(self):
        environment = {
            **os.environ,
            "SECRET_KEY": "x" * 50,
            "JANUS_ANALYSIS_COLORS": "5",
        }
        environment.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, janus.settings as s; "
                "print(json.dumps(s.JANUS_ANALYSIS_COLORS))",
            ],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == 5


class TestAnalysisStuckAfter:
    def test_analysis_stuck_after_is_15_minutes_when_unset(self, settings):
        assert hasattr(settings, "JANUS_ANALYSIS_STUCK_MINUTES") is False
        assert conf.analysis_stuck_after() == timedelta(minutes=15)

    def test_analysis_stuck_after_follows_the_setting(self, settings):
        settings.JANUS_ANALYSIS_STUCK_MINUTES = 2
        assert conf.analysis_stuck_after() == timedelta(minutes=2)
