"""e2e_xcom: pushes known XCom values (return_value and key "e2e_key")."""

import pendulum

try:  # Airflow 3 (Task SDK)
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.x (scripts/airflow/up2.sh)
    from airflow.decorators import dag, task

KNOWN_XCOM = {"e2e": "E2E_KNOWN_XCOM", "n": 42}


@dag(
    dag_id="e2e_xcom",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["e2e"],
    doc_md="Task `push` returns KNOWN_XCOM (key return_value) and pushes key `e2e_key` = 'E2E_KNOWN_XCOM'.",
)
def e2e_xcom():
    @task(task_id="push")
    def push(**context) -> dict:
        context["ti"].xcom_push(key="e2e_key", value="E2E_KNOWN_XCOM")
        return dict(KNOWN_XCOM)

    @task(task_id="pull")
    def pull(value: dict) -> None:
        print(f"E2E_XCOM pulled {value}")

    pull(push())


e2e_xcom()
