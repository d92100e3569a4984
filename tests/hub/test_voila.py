"""kit.hub.voila's parts that need no hub (the hub's own tests: test_hub*.py)."""

from __future__ import annotations

import pytest
from jupyter_server.services.kernels.kernelmanager import (
    AsyncMappingKernelManager,
    ServerKernelManager,
)
from traitlets import TraitError

from kit.hub.voila import _last_activity


def test_a_kernel_still_starting_does_not_stop_the_activity_report():
    kernels = AsyncMappingKernelManager()
    kernels._kernels["starting"] = ServerKernelManager()  # as while it starts: no activity
    with pytest.raises(TraitError):
        kernels.list_kernels()  # what the report used, so it failed while a kernel started
    assert _last_activity(kernels, "starting") is None
    assert _last_activity(kernels, "gone") is None


def test_only_the_form_is_preheated():
    """The review page is made when the reviewer comes (its lists and decisions as of
    then); the form's file list is read again when its page connects."""
    from kit.hub.voila import preheat

    assert "--preheat_kernel=True" in preheat("/somewhere/notebooks/form.ipynb")
    assert preheat("/somewhere/notebooks/review.ipynb") == []
