"""The three-way splice of an edit into a team's own file (apps/formats/splice.py)."""

from apps.formats.splice import splice

# What the writer makes of the record as imported, of the record now, and the team's own file.
BASE = "# T\n\n## A\n\n* one\n* two\n\n## B\n\n* three\n"
THEIRS = "# T\n\n## A\n\n- one\n- two\n\n## B\n\n* three\n"


def test_it_gives_the_source_back_when_nothing_was_edited():
    assert splice(BASE, THEIRS, BASE) == THEIRS


def test_it_carries_an_edit_into_the_source_and_keeps_the_rest_verbatim():
    ours = BASE.replace("* three", "* three, edited")
    assert splice(BASE, THEIRS, ours) == THEIRS.replace("* three", "* three, edited")


def test_it_carries_an_added_line_and_a_removed_one():
    ours = BASE.replace("* three\n", "* three\n* four\n").replace("## A\n\n", "")
    assert splice(BASE, THEIRS, ours) == "# T\n\n- one\n- two\n\n## B\n\n* three\n* four\n"


def test_the_edit_wins_where_both_changed_the_same_lines():
    ours = BASE.replace("* two", "* two, edited")
    assert splice(BASE, THEIRS, ours) == "# T\n\n## A\n\n* one\n* two, edited\n\n## B\n\n* three\n"


def test_it_keeps_the_sources_line_ends():
    theirs = THEIRS.replace("\n", "\r\n")
    ours = BASE.replace("## B", "## B, renamed")
    assert splice(BASE, theirs, ours) == theirs.replace("## B\r\n", "## B, renamed\r\n")


def test_it_puts_lines_inserted_before_the_sources_own_change_in_front_of_it():
    ours = BASE.replace("## A\n\n", "## A\n\nNew text.\n\n")
    assert splice(BASE, THEIRS, ours) == THEIRS.replace("## A\n\n", "## A\n\nNew text.\n\n")
