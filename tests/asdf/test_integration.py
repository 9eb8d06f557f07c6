"""
The extension, its manifest and every schema, loaded through the installed entry points.
"""

import importlib.metadata
import importlib.resources

import asdf
import pytest
import yaml

from irispy_plus.asdf.converters import CONVERTERS
from irispy_plus.asdf.entry_points import MANIFEST_URIS

RESOURCES = importlib.resources.files("irispy_plus.asdf") / "resources"
SCHEMA_FILES = sorted((RESOURCES / "schemas").glob("*.yaml"))
MANIFEST_FILES = sorted((RESOURCES / "manifests").glob("*.yaml"))


def test_entry_points_are_installed():
    extensions = {e.name: e.value for e in importlib.metadata.entry_points(group="asdf.extensions")}
    mappings = {e.name: e.value for e in importlib.metadata.entry_points(group="asdf.resource_mappings")}
    assert extensions["irispy_plus"] == "irispy_plus.asdf.entry_points:get_extensions"
    assert mappings["irispy_plus"] == "irispy_plus.asdf.entry_points:get_resource_mappings"


def test_extension_is_registered():
    found = {(e.package_name, e.extension_uri) for e in asdf.get_config().extensions}
    assert ("irispy-plus", "asdf://irispy-plus.org/extensions/irispy_plus-1.0.0") in found


def test_there_are_resources():
    assert len(SCHEMA_FILES) >= 16
    assert [path.name for path in MANIFEST_FILES] == ["irispy_plus-1.0.0.yaml"]


@pytest.mark.parametrize("path", SCHEMA_FILES + MANIFEST_FILES, ids=lambda path: path.name)
def test_resource_served_as_is(path):
    content = path.read_bytes()
    uri = yaml.safe_load(content)["id"]
    assert asdf.get_config().resource_manager[uri] == content
    # Versioned names: a released resource is never edited, a new version is added.
    assert uri.rsplit("/", 1)[-1] == path.stem
    assert path.stem.rsplit("-", 1)[-1].count(".") == 2


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_schema_loads_and_is_valid(path):
    uri = yaml.safe_load(path.read_bytes())["id"]
    schema = asdf.schema.load_schema(uri, resolve_references=True)
    asdf.schema.check_schema(schema)


@pytest.mark.parametrize("path", MANIFEST_FILES, ids=lambda path: path.name)
def test_manifest_valid_and_complete(path):
    manifest = yaml.safe_load(path.read_bytes())
    manifest_schema = asdf.schema.load_schema("asdf://asdf-format.org/core/schemas/extension_manifest-1.0.0")
    asdf.schema.validate(manifest, schema=manifest_schema)
    resource_manager = asdf.get_config().resource_manager
    converter_tags = {tag for converter in CONVERTERS for tag in converter.tags}
    for definition in manifest["tags"]:
        assert definition["schema_uri"] in resource_manager
        assert any(asdf.util.uri_match(pattern, definition["tag_uri"]) for pattern in converter_tags)
    assert manifest["id"] in MANIFEST_URIS


def test_every_converter_has_a_tag():
    extension = next(e for e in asdf.get_config().extensions if e.package_name == "irispy-plus")
    tags = {tag.tag_uri for tag in extension.tags}
    for converter in CONVERTERS:
        assert any(asdf.util.uri_match(pattern, tag) for pattern in converter.tags for tag in tags)
