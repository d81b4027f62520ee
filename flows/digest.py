"""The digest flow: build the digest of a window, write its files, publish and deliver it."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from newsmon import clock, delivery
from newsmon.config import SmtpSettings, load_config
from newsmon.digest import (
    RENDERERS,
    build_digest,
    digest_window,
    record_digest,
    write_digest_files,
)
from newsmon.store import open_database

RETRY_DELAYS = [2, 5, 15]


@task(name="post-webhook", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS)
def post_webhook_task(url: str, json_text: str, user_agent: str) -> None:
    delivery.post_webhook(url, json_text, user_agent)


@task(name="send-email", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS)
def send_email_task(smtp: SmtpSettings, subject: str, text: str, html: str) -> None:
    delivery.send_email(smtp, subject, text, html)


@flow(name="newsmon-digest", log_prints=True)
def digest(
    config_path: str,
    since: str | None = None,
    hours: float | None = None,
    format: str | None = None,
    output: str | None = None,
) -> dict:
    """Digest of articles stored since `since` (or the last `hours`, or the last digest).

    `output` None writes every configured format (or `format`) to digest.output_dir; a path writes
    `format` there; "-" returns the text for the caller to print: a preview that is not recorded,
    so it does not move the next digest's default window.
    """
    logger = get_run_logger()
    config = load_config(config_path)
    db = open_database(config.database_path)
    until = clock.now()
    built = build_digest(db, digest_window(db, since, hours, until), until, list(config.tags))
    markdown = RENDERERS["md"](built)
    create_markdown_artifact(markdown, key="newsmon-digest", description=f"{built.since} – {built.until}")
    result = {
        "since": built.since,
        "until": built.until,
        "stories": built.story_count,
        "articles": built.article_count,
        "files": [],
        "delivery_errors": [],
    }
    if output == "-":
        db.close()
        return result | {"text": RENDERERS[format or "md"](built)}
    formats = [format] if format else list(config.digest.formats)
    result["files"] = [
        str(p) for p in write_digest_files(built, formats, output, config.path(config.digest.output_dir))
    ]
    deliveries = []
    if config.digest.webhook_url:
        deliveries.append(
            post_webhook_task.submit(config.digest.webhook_url, RENDERERS["json"](built), config.fetch.user_agent)
        )
    if config.digest.smtp:
        subject = f"newsmon digest: {built.story_count} stories ({built.since} – {built.until})"
        deliveries.append(send_email_task.submit(config.digest.smtp, subject, markdown, RENDERERS["html"](built)))
    for future in deliveries:
        try:
            future.result()
        except delivery.DeliveryError as exc:
            logger.error("%s", exc)
            result["delivery_errors"].append(str(exc))
    record_digest(db, built)
    db.close()
    return result
