"""e2e_failing: one task that raises ValueError("E2E_KNOWN_ERROR simulated failure")."""

import pendulum

try:  # Airflow 3 (Task SDK)
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.x (scripts/airflow/up2.sh)
    from airflow.decorators import dag, task

KNOWN_ERROR = "E2E_KNOWN_ERROR simulated failure"


@dag(
    dag_id="e2e_failing",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    default_args={"retries": 0},
    tags=["e2e"],
    doc_md="Fails with a known error, no retries.",
)
def e2e_failing():
    @task(task_id="boom", retries=0)
    def boom() -> None:
        raise ValueError(KNOWN_ERROR)

    boom()


e2e_failing()
