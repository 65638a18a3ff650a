"""e2e_success: one fast task that logs a known line (E2E_KNOWN_LINE ...)."""

import logging

import pendulum

try:  # Airflow 3 (Task SDK)
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.x (scripts/airflow/up2.sh)
    from airflow.decorators import dag, task

KNOWN_LINE = "E2E_KNOWN_LINE hello from airflow-mcp"

log = logging.getLogger(__name__)


@dag(
    dag_id="e2e_success",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["e2e"],
    doc_md="Succeeds and logs a known line.",
)
def e2e_success():
    @task(task_id="say_hello", retries=0)
    def say_hello() -> None:
        print(KNOWN_LINE)
        log.info(KNOWN_LINE)

    say_hello()


e2e_success()
