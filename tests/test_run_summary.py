"""The run summary as it lands in a log: every error is one greppable line, however long."""

from newsmon.cli import print_run_summary


def test_long_errors_stay_one_line_when_piped(capsys):
    url = "https://news.google.com/rss/search?q=%E6%B7%84%E5%8D%9A&hl=zh-CN&gl=CN&ceid=CN:zh-Hans"
    error = f"{url}: robots.txt unavailable (cannot connect: [Errno -2] Name or service not known), not fetching"
    outcome = {
        "source": "谷歌新闻·淄博",
        "kind": "rss",
        "source_error": error,
        "not_modified": False,
        "fetched": 0,
        "new": 0,
        "duplicates": 0,
        "off_topic": 0,
        "error_count": 1,
        "errors": [],
    }
    print_run_summary({"run": {"id": 7, "status": "completed"}, "sources": [outcome], "database": "/data/news.db"})
    lines = capsys.readouterr().out.splitlines()
    assert f"error 谷歌新闻·淄博: {error}" in lines
    assert any("│ 谷歌新闻·淄博 " in line for line in lines)  # the name is not folded in the table
    assert lines[-1] == "database: /data/news.db"
