"""The byte target reached from a prediction, and the exhibit cache between exports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import factories
from PIL import Image

from evidence_desk.export import budget
from evidence_desk.export import dossier_images as di
from evidence_desk.export.encode_cache import EncodeCache, derive_cached, exhibit_key

_photo = factories.noise_photo


def _job(src: Path, dst: Path, target: int | None) -> di.DeriveJob:
    probe = di.probe_image(src)
    return di.DeriveJob(0, src, dst, di.cap_size(False, probe.upright_size),
                        di.floor_size(False, probe.upright_size), target)


def test_a_photo_meets_its_target_from_a_draft_in_at_most_two_full_encodes(
        tmp_path: Path, monkeypatch) -> None:
    src = _photo(tmp_path / "p.jpg")
    calls: list[tuple[int, int]] = []  # (pixels, quality) of every encode
    real = di._encode

    def counting(im: Image.Image, q: int) -> bytes:
        calls.append((im.width * im.height, q))
        return real(im, q)

    monkeypatch.setattr(di, "_encode", counting)
    d = di.derive(_job(src, tmp_path / "out.jpg", 250_000))
    assert d.fits and not d.error
    assert 0.6 * 250_000 <= d.size <= 250_000  # the share is used, not squandered
    # The picture is the decoder's own draft (1/2, 1/4 of each side), never resampled, and
    # clears the legibility floor.
    assert (d.width, d.height) in {(2000, 1500), (1000, 750)}
    full = [q for px, q in calls if px == d.width * d.height]
    assert 1 <= len(full) <= 2
    # Everything else encoded was a small sample of block rows, at qualities in the range.
    assert all(px <= budget.SAMPLE_PIXELS + d.width * budget.BAND
               for px, _q in calls if px != d.width * d.height)
    lo, hi = budget.QUALITY_RANGE
    assert all(lo <= q <= hi for _px, q in calls)
    with Image.open(tmp_path / "out.jpg") as im:
        assert im.size == (d.width, d.height) and im.width >= di.PHOTO_MIN_LONG_SIDE


def _noise(size: tuple[int, int]) -> Image.Image:
    tile = Image.effect_noise((250, 250), 40).convert("RGB")
    im = Image.new("RGB", size)
    for x in range(0, size[0], 250):
        for y in range(0, size[1], 250):
            im.paste(tile, (x, y))
    return im


def _fit(im: Image.Image, floor: int, target: int) -> tuple[Image.Image, bytes, bool, int, int]:
    count: list[tuple[int, int]] = []

    def encode(pic: Image.Image, q: int) -> bytes:
        count.append(pic.size)
        return di._encode(pic, q)

    img, data, fits, q = budget.fit(im, floor, target, encode, budget.QUALITY_RANGE,
                                    di.LOW_QUALITIES)
    full = sum(1 for size in count if size == img.size)
    return img, data, fits, q, full


def test_the_quality_is_chosen_within_its_range_before_any_pixel_goes() -> None:
    lo, hi = budget.QUALITY_RANGE
    pic = _noise((1000, 750))
    at = {q: len(di._encode(pic, q)) for q in (lo, 80, hi)}
    # A target between the lowest and the highest quality's size: the pixels stay, the
    # quality lands strictly inside the range, within the target and close under it.
    target = (at[lo] + at[80]) // 2
    img, data, fits, q, full = _fit(pic, 800, target)
    assert fits and img.size == pic.size and lo < q < 80
    assert 0.85 * target <= len(data) <= target and full <= 2
    # Room to spare: the highest quality, no higher.
    img, data, fits, q, _ = _fit(pic, 800, 2 * at[hi])
    assert (fits, q, img.size, len(data)) == (True, hi, pic.size, at[hi])


def test_pixels_go_only_below_the_lowest_quality_and_never_under_the_floor() -> None:
    lo, _hi = budget.QUALITY_RANGE
    pic = _noise((1000, 750))
    at_lo = len(di._encode(pic, lo))
    img, data, fits, q, _ = _fit(pic, 600, at_lo // 2)
    assert fits and len(data) <= at_lo // 2 and q >= lo
    assert 600 <= img.width < 1000 and abs(img.width / img.height - 4 / 3) < 0.01
    # Less than the floor holds even at the lowest quality: the floor stands and says so.
    img, data, fits, q, _ = _fit(pic, 900, 1_000)
    assert not fits and img.width == 900 and q == di.LOW_QUALITIES[-1]


def test_the_decode_box_takes_the_largest_draft_predicted_to_fit() -> None:
    cap, floor, src, size = (2400, 1800), (800, 600), (4000, 3000), 4_000_000
    half = budget.predicted_bytes(size, 0.25)
    quarter = budget.predicted_bytes(size, 1 / 16)
    assert budget.decode_box(int(half / budget.AIM) + 1, size, src, cap, floor) == (2000, 1500)
    assert budget.decode_box(int(half * 0.9), size, src, cap, floor) == (1000, 750)
    assert budget.decode_box(int(quarter * 0.9), size, src, cap, floor) == (1000, 750)  # floor


def test_the_decode_box_clears_the_floor_and_stays_under_the_cap() -> None:
    box = budget.decode_box(50_000, 4_000_000, (4000, 3000), (2400, 1800), (800, 600))
    assert max(box) >= 800
    assert budget.decode_box(None, 4_000_000, (4000, 3000), (2400, 1800), (800, 600)) \
        == (2400, 1800)
    big = budget.decode_box(3_900_000, 4_000_000, (4000, 3000), (2400, 1800), (800, 600))
    assert max(big) == 2400


def test_a_second_run_takes_the_cache_and_a_damaged_entry_is_made_again(tmp_path: Path) -> None:
    src = _photo(tmp_path / "p.jpg", (1600, 1200))
    cache = EncodeCache(tmp_path / "cache")
    made: list[int] = []

    def derive_all(jobs: list[di.DeriveJob]) -> dict[int, di.Derived]:
        made.extend(j.index for j in jobs)
        return {j.index: di.derive(j) for j in jobs}

    def run(n: int) -> di.Derived:
        job = _job(src, tmp_path / f"out{n}.jpg", 120_000)
        key = exhibit_key("a" * 64, "", 0, 0, job)
        return derive_cached([job], {0: key}, cache, derive_all, lambda _n: None)[0]

    first = run(1)
    assert made == [0] and cache.hits == 0
    second = run(2)
    assert made == [0] and cache.hits == 1  # not derived again
    assert (tmp_path / "out2.jpg").read_bytes() == (tmp_path / "out1.jpg").read_bytes()
    assert (second.width, second.height, second.size) == (first.width, first.height, first.size)
    # Someone damages the cached picture: it fails its hash, is dropped and made again.
    pic = next((tmp_path / "cache").glob("*.jpg"))
    pic.write_bytes(pic.read_bytes()[:-100])
    third = run(3)
    assert made == [0, 0]
    data = (tmp_path / "out3.jpg").read_bytes()
    assert len(data) == third.size
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(
        (tmp_path / "out1.jpg").read_bytes()).hexdigest()


def test_the_key_changes_with_marks_rotation_and_target(tmp_path: Path) -> None:
    job = di.DeriveJob(0, tmp_path / "x.jpg", tmp_path / "y.jpg", (100, 100), (50, 50), 1000)
    base = exhibit_key("a" * 64, "", 0, 0, job)
    assert exhibit_key("a" * 64, '[{"kind": "box"}]', 0, 0, job) != base
    assert exhibit_key("a" * 64, "", 90, 0, job) != base
    assert exhibit_key("a" * 64, "", 0, 1, job) != base
    assert exhibit_key("a" * 64, "", 0, 0, di.DeriveJob(0, job.src, job.dst, (100, 100),
                                                         (50, 50), 2000)) != base


def test_the_cache_stays_within_its_bound(tmp_path: Path) -> None:
    cache = EncodeCache(tmp_path / "cache", max_bytes=1)
    src = _photo(tmp_path / "p.jpg", (800, 600))
    job = _job(src, tmp_path / "o.jpg", None)
    cache.put("k" * 64, di.derive(job))
    assert list((tmp_path / "cache").glob("*.jpg"))
    cache.prune()
    assert not list((tmp_path / "cache").glob("*"))


def test_a_second_export_of_a_case_reuses_the_library_cache(tmp_path: Path) -> None:
    from evidence_desk.export.jobs import export_dossier
    from evidence_desk.library.service import Library

    lib = Library.open(tmp_path / "lib")
    case = lib.create_case("quality_dispute", "CACHE-1")
    photos = [_photo(tmp_path / f"p{n}.jpg", (2000 + 100 * n, 1500)) for n in range(3)]
    lib.add_paths(case.id, photos, kind="product_photo")
    first = export_dossier(lib, case.id, tmp_path / "a.pdf", budget_bytes=3 * 1024 * 1024)
    cache = tmp_path / "lib" / "cache" / "exhibits"
    entries = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.jpg")}
    assert len(entries) == 3
    # The second export prints another time on its pages; its exhibits still come from the
    # cache (no entry written again) and the dossier shows the same pictures.
    second = export_dossier(lib, case.id, tmp_path / "b.pdf", budget_bytes=3 * 1024 * 1024)
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.jpg")} == entries
    assert second.size_bytes <= 3 * 1024 * 1024 and first.size_bytes <= 3 * 1024 * 1024

    from pypdf import PdfReader

    def images(path: Path) -> list[bytes]:
        return sorted(img.data for page in PdfReader(path).pages for img in page.images)

    assert images(tmp_path / "a.pdf") == images(tmp_path / "b.pdf")


def test_stripped_jpegs_are_remembered_by_hash_and_a_damaged_copy_is_stripped_again(
        tmp_path: Path) -> None:
    from evidence_desk.export.redact import strip_jpeg

    plain = _photo(tmp_path / "plain.jpg", (600, 400))
    tagged = tmp_path / "tagged.jpg"
    with Image.open(plain) as im:
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        im.save(tagged, "JPEG", quality=92, exif=exif.tobytes(), comment=b"serial 1234")
    calls: list[Path] = []

    def counting(src: Path, out: Path) -> Path:
        calls.append(src)
        return strip_jpeg(src, out)

    cache = EncodeCache(tmp_path / "cache")
    sha = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (plain, tagged)}
    assert cache.stripped(sha[plain], plain, tmp_path / "s0.jpg", counting) == plain
    first = cache.stripped(sha[tagged], tagged, tmp_path / "s1.jpg", counting)
    assert b"CameraMaker" not in first.read_bytes() and b"serial 1234" not in first.read_bytes()
    assert len(calls) == 2
    # Again: neither original is read nor stripped; the kept copy is the same picture.
    assert cache.stripped(sha[plain], plain, tmp_path / "s2.jpg", counting) == plain
    again = cache.stripped(sha[tagged], tagged, tmp_path / "s3.jpg", counting)
    assert len(calls) == 2 and again.read_bytes() == first.read_bytes()
    assert again.parent == tmp_path / "cache" / "stripped"
    # A kept copy that no longer hashes to its record is made again, never used.
    again.write_bytes(b"\xff\xd8 not a picture")
    third = cache.stripped(sha[tagged], tagged, tmp_path / "s4.jpg", counting)
    assert len(calls) == 3 and third.read_bytes() == first.read_bytes()


def _tagged(path: Path, size: tuple[int, int], seed: int) -> Path:
    """A JPEG with camera metadata, so that stripping it makes a copy."""
    exif = Image.Exif()
    exif[0x010F] = f"CameraMaker {seed}"
    Image.effect_noise(size, 30 + seed).convert("RGB").save(path, "JPEG", quality=90,
                                                           exif=exif.tobytes())
    return path


def test_stripped_copies_count_against_the_bound_and_go_oldest_first(tmp_path: Path) -> None:
    import os

    from evidence_desk.export.redact import strip_jpeg

    cache = EncodeCache(tmp_path / "cache")
    kept: list[Path] = []
    for n in range(3):
        src = _tagged(tmp_path / f"t{n}.jpg", (400, 300), n)
        sha = hashlib.sha256(src.read_bytes()).hexdigest()
        cache.stripped(sha, src, tmp_path / f"s{n}.jpg", strip_jpeg)
        kept.append(tmp_path / "cache" / "stripped" / f"{sha}.jpg")
    assert all(p.is_file() for p in kept)
    src = _photo(tmp_path / "p.jpg", (800, 600))
    cache.put("e" * 64, di.derive(_job(src, tmp_path / "o.jpg", None)))
    # Last used: stripped 0, the exhibit, stripped 2, stripped 1 (oldest).
    for age, path in enumerate((kept[0], tmp_path / "cache" / f"{'e' * 64}.jpg", kept[2],
                                kept[1])):
        stamp = 1_700_000_000 - 1000 * age
        os.utime(path.with_suffix(".json"), (stamp, stamp))

    def size(*paths: Path) -> int:
        return sum(p.stat().st_size + p.with_suffix(".json").stat().st_size for p in paths)

    exhibit = tmp_path / "cache" / f"{'e' * 64}.jpg"
    cache.max_bytes = size(kept[0], exhibit, kept[2])
    cache.prune()
    assert [p.exists() for p in kept] == [True, False, True] and exhibit.exists()
    assert not kept[1].with_suffix(".json").exists()  # the record goes with its copy
    cache.max_bytes = size(kept[0], exhibit)
    cache.prune()
    assert [p.exists() for p in kept] == [True, False, False] and exhibit.exists()
    cache.max_bytes = 1
    cache.prune()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_an_export_reads_its_stripped_copies_before_the_cache_is_bounded(tmp_path: Path) -> None:
    import case_builder

    from evidence_desk.export.dossier import build_dossier
    from evidence_desk.export.redact import strip_jpeg_bytes

    files = [(_tagged(tmp_path / f"t{n}.jpg", (400, 300), n), "product_photo", f"t{n}")
             for n in range(3)]
    data = case_builder.make_case(tmp_path, files=files)
    cache = EncodeCache(tmp_path / "cache", max_bytes=1)
    out = tmp_path / "d.pdf"
    build_dossier(data, out, encode_cache=cache)
    pdf = out.read_bytes()
    for src, _kind, _caption in files:
        stripped = strip_jpeg_bytes(src.read_bytes())
        assert stripped is not None and stripped in pdf  # the stripped copy, whole
    assert b"CameraMaker" not in pdf
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_the_sample_predicts_a_photo_and_odd_shapes_are_their_own_sample() -> None:
    pic = _noise((1500, 1000))
    model = budget.QualityModel(pic, di._encode)
    assert not model.exact and model.sample.height < pic.height / 3
    for q in budget.QUALITY_RANGE:
        assert abs(model.predict(q) / len(di._encode(pic, q)) - 1) < 0.05
    # A strip too short for bands of block rows, and a small picture: measured whole.
    for size in ((20_000, 20), (400, 300)):
        odd = _noise(size)
        model = budget.QualityModel(odd, di._encode)
        assert model.exact and model.predict(80) == len(di._encode(odd, 80))
