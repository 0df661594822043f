"""The collector release is named in three places; they must agree (one release for every module)."""

import re

from local_stack import components as spec


def test_collector_modules_builder_and_image_are_one_release():
    manifest = (spec.REPO / "otel-collector" / "builder-config.yaml").read_text()
    module_versions = set(re.findall(r"gomod: \S+ (v0\.\d+\.\d+)", manifest))
    stable_versions = set(re.findall(r"gomod: \S+ (v1\.\d+\.\d+)", manifest))
    assert module_versions == {"v0.161.0"} and stable_versions == {"v1.67.0"}

    makefile = (spec.REPO / "Makefile").read_text()
    assert re.search(r"^OCB_VERSION := (\S+)", makefile, re.M).group(1) == "v0.161.0"

    image = spec.read_dotenv()["OTEL_COLLECTOR_IMAGE"]
    assert image.endswith(":0.161.0")
