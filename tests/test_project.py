"""kit.project: where the shipped files are and what a working folder holds."""

from __future__ import annotations

from pathlib import Path

from kit import project

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_files_are_the_repository_folders_in_a_checkout() -> None:
    assert project.report_notebook() == ROOT / "notebooks" / "report.ipynb"
    assert project.shipped("templates") == ROOT / "templates"
    assert {p.name for p in project.shipped("params").glob("*.yaml")} == {
        "东山镇-镇委书记-王建国.yaml", "东山镇-镇党建办主任-李明华.yaml"}


def test_build_folder_parts() -> None:
    parts = project.year_folder(Path("out"), 2023)
    assert parts.volume == Path("out/2023/2023年度述职报告汇编.docx")
    assert (parts.notebooks, parts.review, parts.docx, parts.pdf) == (
        Path("out/2023/notebooks"), Path("out/2023/review"), Path("out/2023/docx"),
        Path("out/2023/pdf"))
    assert parts.index == Path("out/2023/review/index.html")
    assert parts.group_volume("青川县") == Path("out/2023/2023年度述职报告汇编-青川县.docx")
    assert parts.group_volume("") == Path("out/2023/2023年度述职报告汇编-未填.docx")
    assert parts.group_volume("a/b:c") == Path("out/2023/2023年度述职报告汇编-a_b_c.docx")
    # Groups whose safe names meet (trailing dots go; case on Windows) get files of their own.
    books = parts.group_volumes(["东山镇...", "东山镇", "东山镇（2）", "a", "A", "", "未填"])
    assert len({p.name.casefold() for p in books.values()}) == 7
    assert books["东山镇"].name == "2023年度述职报告汇编-东山镇.docx"
    assert books["东山镇..."].name == "2023年度述职报告汇编-东山镇（2）.docx"
    assert books["东山镇（2）"].name == "2023年度述职报告汇编-东山镇（2）（2）.docx"
    assert parts.volume_list == Path("out/2023/2023年度述职报告汇编清单.txt")
    assert parts.pdf_of(parts.volume) == Path("out/2023/pdf/2023年度述职报告汇编.pdf")
    assert parts.values == Path("out/2023/审阅数据.json")


def test_an_officials_outputs() -> None:
    parts = project.year_folder(Path("out"), 2023)
    assert parts.notebook_of("东山镇-李明华") == Path("out/2023/notebooks/东山镇-李明华.ipynb")
    assert parts.page_of("东山镇-李明华") == Path("out/2023/review/东山镇-李明华.html")
    report = parts.report_of("东山镇", "镇党建办主任", "李明华")
    assert report == Path("out/2023/docx/2023年度述职报告-东山镇-镇党建办主任-李明华.docx")
    assert parts.pdf_of(report) == Path("out/2023/pdf/2023年度述职报告-东山镇-镇党建办主任-李明华.pdf")
    assert project.report_by_hand("out", 2023, "东山镇", "镇党建办主任", "李明华") == Path(
        "out/2023年度述职报告-东山镇-镇党建办主任-李明华.docx")


def test_no_parameter_file_takes_the_review_index() -> None:
    parts = project.year_folder("out", 2023)
    stems = ["index", "Index", "INDEX", "index_", "index__", "_index", "indexes", "李明华"]
    pages = [parts.page_of(s).name for s in stems]
    assert project.INDEX_PAGE not in {p.casefold() for p in pages}  # (Windows ignores case)
    assert len(set(pages)) == len(stems)
    assert parts.page_of("李明华").name == "李明华.html"


def test_report_names_are_valid_everywhere_and_skip_blanks() -> None:
    assert project.report_name(2023, "东山镇", "", "李明华") == "2023年度述职报告-东山镇-李明华.docx"
    assert project.report_name(2023, 'a<b>"c', "角色", "名?") == "2023年度述职报告-a_b__c-角色-名_.docx"


def test_scratch_files_are_told_from_outputs() -> None:
    partial = project.partial_notebook(Path("out/2023/notebooks/李明华.ipynb"))
    assert partial == Path("out/2023/notebooks/.李明华.partial.ipynb")
    assert project.is_scratch(partial.name) and project.is_scratch(".李明华.html.x1y2.kit-tmp")
    assert not project.is_scratch("李明华.ipynb") and not project.is_scratch("李明华.partial.ipynb")
    # A user's own hidden scratch files are not the kit's, whatever the folder.
    assert not project.is_scratch(".我的草稿.tmp") and not project.is_scratch(".备份.tmp")


def test_working_folder_is_found_upwards(tmp_path, monkeypatch) -> None:
    for name in ("KIT_ROOT", "KIT_PARAMS", "KIT_TEMPLATES", "KIT_OUT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "templates").mkdir()
    deep = tmp_path / "notebooks" / "x"
    deep.mkdir(parents=True)
    ws = project.Workspace.find(deep)
    assert ws.root == tmp_path.resolve()
    assert (ws.params, ws.out) == (tmp_path.resolve() / "params", tmp_path.resolve() / "build")


def test_form_notebook_prefers_the_working_folders_own(tmp_path) -> None:
    assert project.form_notebook(tmp_path) == ROOT / "notebooks" / "form.ipynb"
    own = tmp_path / "notebooks" / "form.ipynb"
    own.parent.mkdir()
    own.write_text("{}")
    assert project.form_notebook(tmp_path) == own
