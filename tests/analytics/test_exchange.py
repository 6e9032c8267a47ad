import csv
import io
import json
from datetime import UTC, datetime

import pytest
from model_bakery import baker

from analytics.exceptions import RecordsRejected
from analytics.exchange import MAX_DEPTH, export_csv, export_json, records_parse
from analytics.models import Analytics


def nested(depth: int):
    """Return a value of ``depth`` lists inside each other."""
    value = 1
    for _level in range(depth):
        value = [value]
    return value


class TestRecordsParse:
    def test_records_parse_returns_fields_of_each_record(self):
        records = records_parse(
            json.dumps(
                [
                    {"data": {"a": 1}},
                    {
                        "data": [1, 2],
                        "research_topic": "contrast",
                        "created_at": "2026-11-30T09:12:00+01:00",
                    },
                ]
            )
        )

        assert records[0] == {"data": {"a": 1}, "research_topic": None}
        assert records[1]["research_topic"] == "contrast"
        assert records[1]["created_at"] == datetime(2026, 11, 30, 8, 12, tzinfo=UTC)

    def test_records_parse_reads_naive_times_in_the_current_time_zone(self, settings):
        settings.TIME_ZONE = "Europe/Paris"

        records = records_parse('[{"data": 1, "created_at": "2026-07-01T12:00:00"}]')

        assert records[0]["created_at"] == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)

    def test_records_parse_accepts_what_the_export_writes(self):
        text = json.dumps(
            [{"id": 4, "updated_at": "2026-01-01T00:00:00+00:00", "data": {"x": 1}}]
        )

        assert records_parse(text) == [{"data": {"x": 1}, "research_topic": None}]

    def test_records_parse_names_every_bad_record(self):
        text = json.dumps(
            [
                {"data": 1},
                {"research_topic": "no data"},
                {"data": None},
                "not an object",
                {"data": 1, "topic": "typo"},
                {"data": 1, "created_at": "yesterday"},
                {"data": 1, "research_topic": 5},
            ]
        )

        with pytest.raises(RecordsRejected) as caught:
            records_parse(text)

        assert caught.value.errors == [
            'Record 2: "data" is missing.',
            'Record 3: "data" is empty (null); a record needs some data.',
            'Record 4: expected an object with a "data" key, not str.',
            "Record 5: unknown key 'topic'; a record holds data, research_topic, "
            "created_at.",
            'Record 6: "created_at" must be an ISO 8601 date and time such as '
            '"2026-11-30T09:12:00+00:00", not "yesterday".',
            'Record 7: "research_topic" must be a string or null.',
        ]

    def test_records_parse_points_at_a_json_syntax_error(self):
        with pytest.raises(RecordsRejected) as caught:
            records_parse('[\n  {"data": 1}\n  {"data": 2}\n]')

        assert caught.value.errors == ["Line 3, column 3: Expecting ',' delimiter"]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('{"data": 1}', "The file must hold a JSON array of records"),
            ("[]", "The file holds no records."),
            (
                '[{"data": NaN}]',
                "NaN is not a JSON number; write it as a string or null.",
            ),
            ('[{"data": -1e999}]', "-1e999 is too large a number"),
            ("[" * 100_000 + "]" * 100_000, "The JSON is nested more than 100 levels"),
        ],
    )
    def test_records_parse_refuses_a_file_that_is_not_a_list_of_records(
        self, text, message
    ):
        with pytest.raises(RecordsRejected) as caught:
            records_parse(text)

        assert caught.value.errors[0].startswith(message)

    def test_records_parse_names_records_holding_what_cannot_be_stored(self, settings):
        settings.TIME_ZONE = "Europe/Paris"
        text = json.dumps(
            [
                {"data": {"note": "a\x00b"}},
                {"data": ["\udc00"]},
                {"data": {"ok": 1}, "research_topic": "nul\x00"},
                {"data": {"deep": nested(MAX_DEPTH)}},
                # In UTC the first falls before the year 1; in Paris the second
                # falls after 9999.
                {"data": 1, "created_at": "0001-01-01T00:30:00+01:00"},
                {"data": 1, "created_at": "9999-12-31T23:30:00+00:00"},
                {"data": {"fine": nested(MAX_DEPTH - 1)}, "research_topic": "ok"},
            ]
        )

        with pytest.raises(RecordsRejected) as caught:
            records_parse(text)

        assert caught.value.errors == [
            'Record 1: "data" holds "\\u0000", the NUL character, which cannot be '
            "stored; remove it.",
            'Record 2: "data" holds "\\udc00", half of a surrogate pair without '
            "its other half, which cannot be stored; write the character itself.",
            'Record 3: "research_topic" holds "\\u0000", the NUL character, which '
            "cannot be stored; remove it.",
            f'Record 4: "data" is nested more than {MAX_DEPTH} levels deep.',
            'Record 5: "created_at" "0001-01-01T00:30:00+01:00" lies outside the '
            "years 1 to 9999 once moved to UTC or the local time zone.",
            'Record 6: "created_at" "9999-12-31T23:30:00+00:00" lies outside the '
            "years 1 to 9999 once moved to UTC or the local time zone.",
        ]

    def test_records_parse_caps_the_number_of_messages(self):
        with pytest.raises(RecordsRejected) as caught:
            records_parse(json.dumps([{}] * 60))

        assert len(caught.value.errors) == 51
        assert caught.value.errors[-1] == "... and 10 more problems."


@pytest.mark.django_db
class TestExport:
    def test_export_json_writes_records_that_import_again(self):
        first = baker.make(Analytics, research_topic="palette", data={"n": [1, 2]})
        second = baker.make(Analytics, research_topic=None, data="é")

        text = "".join(export_json(Analytics.objects.order_by("pk")))
        exported = json.loads(text)

        assert [row["id"] for row in exported] == [first.pk, second.pk]
        assert exported[0]["data"] == {"n": [1, 2]}
        assert exported[0]["created_at"] == first.created_at.isoformat()
        assert exported[1] == {
            "id": second.pk,
            "research_topic": None,
            "created_at": second.created_at.isoformat(),
            "updated_at": second.updated_at.isoformat(),
            "data": "é",
        }
        assert records_parse(text)[0]["data"] == {"n": [1, 2]}

    def test_export_json_of_no_records_is_an_empty_array(self):
        assert json.loads("".join(export_json(Analytics.objects.none()))) == []

    def test_export_csv_writes_a_header_and_one_line_per_record(self):
        record = baker.make(
            Analytics, research_topic="=HYPERLINK(1)", data={"a": "x,y"}
        )

        rows = list(csv.reader(io.StringIO("".join(export_csv(Analytics.objects)))))

        assert rows[0] == ["id", "research_topic", "created_at", "updated_at", "data"]
        assert rows[1] == [
            str(record.pk),
            "'=HYPERLINK(1)",
            record.created_at.isoformat(),
            record.updated_at.isoformat(),
            '{"a": "x,y"}',
        ]
        assert len(rows) == 2
