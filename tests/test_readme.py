"""The README is the front door: its command list comes from the command table."""

from pathlib import Path

from bot.commands import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_command_list_matches_the_command_table():
    text = README.read_text()
    listed = text.split("<!-- commands:start -->\n")[1].split("\n<!-- commands:end -->")[0]
    assert listed == markdown_table()


def test_readme_names_the_test_command_ci_runs():
    text = README.read_text()
    block = text.split("<!-- test-command -->\n```bash\n")[1].split("\n```")[0]
    assert block.strip() == "pip install -e '.[test]' && python -m pytest"
