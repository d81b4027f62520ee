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
        "taken": 0,
    }
    run = {"id": 7, "status": "completed", "started_at": "2026-01-01T08:00:00+08:00"}
    run["finished_at"] = "2026-01-01T08:00:03+08:00"
    print_run_summary({"run": run, "sources": [outcome], "database": "/data/news.db"}, 5.0, temporary_server=False)
    lines = capsys.readouterr().out.splitlines()
    assert f"error 谷歌新闻·淄博: {error}" in lines
    assert any("│ 谷歌新闻·淄博 " in line for line in lines)  # the name is not folded in the table
    assert "failed sources: 谷歌新闻·淄博" in lines
    assert "run took 3.0 s, 2.0 s for Prefect and start-up" in lines
    assert lines[-1] == "database: /data/news.db"
