"""The import corpus: samples of different roles and blank styles, each with the
templates a clerk expects (written by hand, in fixtures/corpus/*.md).

A ``<name>.docx.txt`` sample is the text of a Word sample: :func:`build_docx` makes the
.docx with python-docx the way offices write them (centred bold title, headings in
their own paragraphs, first-line indents, a sentence split over several runs, empty
paragraphs), so the .docx reader is tested on a real file.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).with_name("fixtures") / "corpus"


def build_docx(text_file: Path, out: Path) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    lines = text_file.read_text("utf-8").splitlines()
    for i, line in enumerate(lines):
        if i == 0:
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(line).bold = True
            document.add_paragraph("")  # the empty line under a title
            continue
        p = document.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        third = max(1, len(line) // 3)  # Word splits a paragraph into runs anywhere
        for piece in (line[:third], line[third:2 * third], line[2 * third:]):
            p.add_run(piece)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def samples() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")


def sample_file(sample: Path, tmp: Path) -> Path:
    """The file to import: the .txt itself, or the .docx built from a .docx.txt."""
    if sample.name.endswith(".docx.txt"):
        return build_docx(sample, tmp / sample.name.removesuffix(".txt"))
    return sample


def expected(sample: Path) -> dict[str, str]:
    """Role → expected template text (comment lines excluded)."""
    stem = sample.name.removesuffix(".txt").removesuffix(".docx")
    single = CORPUS / f"{stem}.md"
    files = [single] if single.exists() else sorted(CORPUS.glob(f"{stem}.*.md"))
    out = {}
    for f in files:
        text = f.read_text("utf-8")
        role = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                    if line.startswith("角色:"))
        out[role] = text
    return out


def without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#")) + "\n"
