import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from images.models import Image
from tests.images.helpers import stripes_png
from tests.utils import image_bytes

PNGSUITE = Path(__file__).resolve().parents[2].parent / "shared/corpora/pngsuite"


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "import"
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "a.png").write_bytes(image_bytes("PNG"))
    (root / "nested" / "b.jpg").write_bytes(image_bytes("JPEG", size=(30, 30)))
    (root / "nested" / "deeper" / "c.gif").write_bytes(image_bytes("GIF"))
    (root / "nested" / "notes.txt").write_text("not an image")
    return root


class TestInspectImage:
    def test_json_prints_one_object_per_file(self, capsys):
        files = [str(PNGSUITE / "basn0g02.png"), str(PNGSUITE / "basi6a16.png")]
        call_command("inspect_image", *files, json=True)
        lines = capsys.readouterr().out.strip().splitlines()
        records = [json.loads(line) for line in lines]
        assert [r["bit_depth"] for r in records] == [2, 16]
        assert [r["color_type"] for r in records] == ["grayscale", "rgba"]
        assert records[1]["image_metadata"]["interlace"] == "adam7"

    def test_rejected_file_prints_error_and_exits_1(self, capsys):
        files = [str(PNGSUITE / "basn0g01.png"), str(PNGSUITE / "xcsn0g01.png")]
        with pytest.raises(CommandError) as caught:
            call_command("inspect_image", *files, json=True)
        assert caught.value.returncode == 1
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert "error" not in records[0]
        assert records[1]["error"]
        assert records[1]["file"].endswith("xcsn0g01.png")

    def test_table_output_is_readable(self, capsys):
        call_command("inspect_image", str(PNGSUITE / "basn3p04.png"))
        out = capsys.readouterr().out
        assert "color type" in out and "palette" in out
        assert "bit depth" in out and "4" in out

    def test_missing_file_is_reported(self, capsys, tmp_path):
        with pytest.raises(CommandError):
            call_command("inspect_image", str(tmp_path / "nope.png"), json=True)
        assert "Cannot read" in json.loads(capsys.readouterr().out)["error"]

    @pytest.mark.django_db
    @pytest.mark.parametrize("analyze", [False, True])
    def test_writes_nothing_to_the_database(self, django_assert_num_queries, analyze):
        with django_assert_num_queries(0):
            call_command(
                "inspect_image",
                str(PNGSUITE / "basn2c08.png"),
                json=True,
                analyze=analyze,
            )


@pytest.mark.django_db
class TestImportImages:
    def test_imports_folder_recursively_and_reports_bad_files(
        self, folder, user, capsys
    ):
        with pytest.raises(CommandError) as caught:
            call_command("import_images", str(folder), user="alice")
        assert "3 imported" in str(caught.value)
        assert "1 skipped" in str(caught.value)
        assert "notes.txt" in capsys.readouterr().err
        assert set(Image.objects.values_list("original_name", flat=True)) == {
            "a.png",
            "b.jpg",
            "c.gif",
        }
        assert set(Image.objects.values_list("user__username", flat=True)) == {"alice"}

    def test_running_again_imports_nothing_twice(self, folder, user):
        (folder / "nested" / "notes.txt").unlink()
        call_command("import_images", str(folder), user="alice", verbosity=0)
        call_command("import_images", str(folder), user="alice", verbosity=0)
        assert Image.objects.count() == 3

    def test_summary_counts_duplicates(self, folder, user, capsys):
        (folder / "nested" / "notes.txt").unlink()
        call_command("import_images", str(folder), user="alice", verbosity=0)
        call_command("import_images", str(folder), user="alice")
        assert "0 imported, 3 already in Janus" in capsys.readouterr().out

    def test_unknown_user_is_an_error(self, folder, db):
        with pytest.raises(CommandError, match="no user"):
            call_command("import_images", str(folder), user="nobody")

    def test_missing_folder_is_an_error(self, tmp_path, user):
        with pytest.raises(CommandError, match="not a folder"):
            call_command("import_images", str(tmp_path / "missing"), user="alice")


class TestInspectImageAnalyze:
    def test_json_includes_analysis_and_token_exports(self, capsys, tmp_path):
        path = tmp_path / "two.png"
        path.write_bytes(image_bytes(size=(90, 30)))
        call_command("inspect_image", str(path), json=True, analyze=True)
        record = json.loads(capsys.readouterr().out)
        hexes = {colour["hex"] for colour in record["analysis"]["palette"]}
        assert hexes == {"#1e3a8a", "#fbbf24"}
        assert record["tokens_dtcg"]["color"]["$type"] == "color"
        assert "--janus-background" in record["tokens_css"]

    def test_colors_option_sets_the_palette_length(self, capsys, tmp_path):
        path = tmp_path / "stripes.png"
        path.write_bytes(stripes_png())
        call_command("inspect_image", str(path), json=True, analyze=True, colors=5)
        assert len(json.loads(capsys.readouterr().out)["analysis"]["palette"]) == 5

    def test_palette_length_follows_the_setting(self, capsys, tmp_path, settings):
        settings.JANUS_ANALYSIS_COLORS = 4
        path = tmp_path / "stripes.png"
        path.write_bytes(stripes_png())
        call_command("inspect_image", str(path), json=True, analyze=True)
        assert len(json.loads(capsys.readouterr().out)["analysis"]["palette"]) == 4

    def test_colors_option_overrides_the_setting(self, capsys, tmp_path, settings):
        settings.JANUS_ANALYSIS_COLORS = 4
        path = tmp_path / "stripes.png"
        path.write_bytes(stripes_png())
        call_command("inspect_image", str(path), json=True, analyze=True, colors=6)
        assert len(json.loads(capsys.readouterr().out)["analysis"]["palette"]) == 6

    def test_colors_without_analyze_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match="--colors needs --analyze"):
            call_command("inspect_image", str(tmp_path / "x.png"), colors=3)

    def test_colors_below_2_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match="at least 1"):
            call_command(
                "inspect_image", str(tmp_path / "x.png"), analyze=True, colors=0
            )

    def test_table_prints_palette_and_css(self, capsys, tmp_path):
        path = tmp_path / "two.png"
        path.write_bytes(image_bytes(size=(90, 30)))
        call_command("inspect_image", str(path), analyze=True)
        out = capsys.readouterr().out
        assert "#1e3a8a" in out
        assert ":root {" in out


@pytest.mark.django_db
class TestAnalyzeImages:
    @pytest.fixture
    def images(self, user):
        from images.ingest import image_ingest
        from tests.utils import upload

        return [
            image_ingest(
                source=upload(f"{i}.png", image_bytes(color=(i * 40, 90, 90))),
                user=user,
                analyse=False,
            )
            for i in range(3)
        ]

    def test_missing_analyses_only_images_without_one(self, images, capsys):
        from images.models import ImageAnalysis

        call_command("analyze_images", missing=True)
        assert ImageAnalysis.objects.succeeded().count() == 3
        assert "3 images analysed" in capsys.readouterr().out
        call_command("analyze_images", missing=True, verbosity=0)
        assert ImageAnalysis.objects.count() == 3

    def test_all_adds_a_new_analysis_per_image(self, images):
        from images.models import ImageAnalysis

        call_command("analyze_images", missing=True, verbosity=0)
        call_command("analyze_images", all=True, verbosity=0)
        assert ImageAnalysis.objects.count() == 6

    def test_failure_is_recorded_counted_and_exits_1(self, images):
        from pathlib import Path

        from images.models import AnalysisStatus, ImageAnalysis

        Path(images[0].file.path).write_bytes(b"broken")
        with pytest.raises(CommandError, match="1 failed") as caught:
            call_command("analyze_images", all=True, verbosity=0)
        assert caught.value.returncode == 1
        failed = ImageAnalysis.objects.get(status=AnalysisStatus.FAILED)
        assert failed.image == images[0]
        assert failed.error_message

    def test_colors_option_sets_the_palette_length(self, user):
        from images.ingest import image_ingest
        from images.models import ImageAnalysis
        from tests.utils import upload

        image_ingest(source=upload("s.png", stripes_png()), user=user, analyse=False)
        call_command("analyze_images", all=True, colors=3, verbosity=0)
        assert len(ImageAnalysis.objects.get().palette) == 3

    def test_palette_length_follows_the_setting(self, user, settings):
        from images.ingest import image_ingest
        from images.models import ImageAnalysis
        from tests.utils import upload

        settings.JANUS_ANALYSIS_COLORS = 5
        image_ingest(source=upload("s.png", stripes_png()), user=user, analyse=False)
        call_command("analyze_images", all=True, verbosity=0)
        assert len(ImageAnalysis.objects.get().palette) == 5

    def test_colors_below_2_is_an_error(self, images):
        with pytest.raises(CommandError, match="at least 1"):
            call_command("analyze_images", all=True, colors=0)


@pytest.mark.django_db(transaction=True)
def test_analyze_images_with_worker_processes(user):
    from images.ingest import image_ingest
    from images.models import ImageAnalysis
    from tests.utils import upload

    for i in range(4):
        image_ingest(
            source=upload(f"{i}.png", image_bytes(color=(10, i * 50, 90))),
            user=user,
            analyse=False,
        )
    call_command("analyze_images", missing=True, workers=2, verbosity=0)
    assert ImageAnalysis.objects.succeeded().count() == 4


@pytest.mark.django_db(transaction=True)
def test_analyze_images_with_worker_processes_records_a_failure(user):
    from images.ingest import image_ingest
    from images.models import AnalysisStatus, ImageAnalysis
    from tests.utils import upload

    images = [
        image_ingest(
            source=upload(f"{i}.png", image_bytes(color=(10, i * 50, 90))),
            user=user,
            analyse=False,
        )
        for i in range(3)
    ]
    Path(images[1].file.path).write_bytes(b"broken")
    with pytest.raises(CommandError, match="1 failed") as caught:
        call_command("analyze_images", all=True, workers=2, verbosity=0)
    assert caught.value.returncode == 1
    failed = ImageAnalysis.objects.get(status=AnalysisStatus.FAILED)
    assert failed.image == images[1]
    assert failed.error_message
    assert ImageAnalysis.objects.succeeded().count() == 2


@pytest.mark.django_db(transaction=True)
def test_analyze_images_with_worker_processes_uses_the_colors_option(user):
    from images.ingest import image_ingest
    from images.models import ImageAnalysis
    from tests.utils import upload

    for shift in range(2):
        image_ingest(
            source=upload(f"{shift}.png", stripes_png(shift=shift)),
            user=user,
            analyse=False,
        )
    call_command("analyze_images", all=True, workers=2, colors=4, verbosity=0)
    palettes = [analysis.palette for analysis in ImageAnalysis.objects.all()]
    assert [len(palette) for palette in palettes] == [4, 4]
