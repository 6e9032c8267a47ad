"""The migrated schema against the original Janus database design."""

import re
from pathlib import Path

import pytest
from django.db import connection

DESIGN = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "seed"
    / "janus-database-design.md"
)

# Columns the design leaves nullable that Janus makes NOT NULL on purpose:
# timestamps always get a value, and a row of admins or image_analysis means
# nothing without the row it belongs to.
TIGHTENED = {
    ("admins", "user_id"),
    ("image_analysis", "image_id"),
    ("images", "created_at"),
    ("images", "updated_at"),
    ("image_analysis", "created_at"),
    ("image_analysis", "updated_at"),
    ("logs", "timestamp"),
    ("logs", "updated_at"),
    ("analytics", "created_at"),
    ("analytics", "updated_at"),
    ("security", "timestamp"),
    ("security", "updated_at"),
}
TYPES = {
    "Integer": {"IntegerField", "AutoField", "PositiveIntegerField"},
    "String": {"CharField"},
    "JSON": {"JSONField"},
    "DateTime": {"DateTimeField"},
}


def design_tables() -> dict[str, dict[str, dict]]:
    """Parse the design document into {table: {column: attributes}}."""
    tables: dict[str, dict[str, dict]] = {}
    current = None
    for line in DESIGN.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### \*\*(\w+)\*\*", line)
        if heading:
            current = heading.group(1)
            if current == "alembic_version":
                current = None
            else:
                tables[current] = {}
            continue
        row = re.match(r"^\|\s*`(\w+)`\s*\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|", line)
        if current and row:
            column, column_type, attributes = row.groups()
            size = re.search(r"\((\d+)\)", column_type)
            foreign = re.search(r"Foreign Key: `(\w+)\.(\w+)`", attributes)
            tables[current][column] = {
                "type": column_type.split("(")[0],
                "size": int(size.group(1)) if size else None,
                "not_null": "Not Null" in attributes or "Primary Key" in attributes,
                "unique": "Unique" in attributes or "Primary Key" in attributes,
                "foreign_key": foreign.groups() if foreign else None,
            }
    return tables


def test_design_document_lists_the_seven_tables():
    assert set(design_tables()) == {
        "images",
        "image_analysis",
        "users",
        "admins",
        "logs",
        "analytics",
        "security",
    }


def _introspect(table: str):
    with connection.cursor() as cursor:
        description = {
            column.name: column
            for column in connection.introspection.get_table_description(cursor, table)
        }
        constraints = connection.introspection.get_constraints(cursor, table)
        relations = connection.introspection.get_relations(cursor, table)
    return description, constraints, relations


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(design_tables()))
def test_schema_table_matches_design(table):
    design = design_tables()[table]
    with connection.cursor() as cursor:
        assert table in connection.introspection.table_names(cursor)
    description, constraints, relations = _introspect(table)

    for column, expected in design.items():
        assert column in description, f"{table}.{column} is missing"
        actual = description[column]

        field_type = connection.introspection.get_field_type(actual.type_code, actual)
        assert field_type in TYPES[expected["type"]], (
            f"{table}.{column} is {field_type}, the design says {expected['type']}"
        )
        if expected["size"] and actual.internal_size:
            assert actual.internal_size == expected["size"], f"{table}.{column}"

        must_be_not_null = expected["not_null"] or (table, column) in TIGHTENED
        assert actual.null_ok is (not must_be_not_null), (
            f"{table}.{column} nullability differs from the design"
        )

        single_column_unique = any(
            (info["unique"] or info["primary_key"]) and info["columns"] == [column]
            for info in constraints.values()
        )
        if expected["unique"]:
            assert single_column_unique, f"{table}.{column} must be unique"

        if expected["foreign_key"]:
            target_table, target_column = expected["foreign_key"]
            assert column in relations, f"{table}.{column} is not a foreign key"
            assert relations[column][1] == target_table
            assert relations[column][0] == target_column


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("images", "created_at"),
        ("image_analysis", "created_at"),
        ("logs", "timestamp"),
        ("logs", "user_id"),
        ("logs", "level"),
        ("logs", "module"),
        ("security", "timestamp"),
        ("security", "user_id"),
        ("security", "action"),
        ("analytics", "created_at"),
        ("images", "filename"),
        ("images", "user_id"),
    ],
)
def test_schema_has_index_leading_with(table, column):
    _description, constraints, _relations = _introspect(table)
    leading = {
        info["columns"][0]
        for info in constraints.values()
        if (info["index"] or info["unique"]) and info["columns"]
    }
    assert column in leading
