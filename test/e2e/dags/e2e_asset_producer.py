"""e2e_asset_producer: a task with outlet Asset("e2e://dataset/one")."""

import pendulum

try:  # Airflow 3 (Task SDK)
    from airflow.sdk import Asset, dag, task
except ImportError:  # Airflow 2.x (scripts/airflow/up2.sh)
    from airflow.decorators import dag, task
    from airflow.datasets import Dataset as Asset

ASSET_URI = "e2e://dataset/one"

E2E_ASSET = Asset(ASSET_URI)


@dag(
    dag_id="e2e_asset_producer",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["e2e"],
    doc_md=f"Updates the asset `{ASSET_URI}`; `e2e_asset_consumer` is scheduled on it.",
)
def e2e_asset_producer():
    @task(task_id="produce", outlets=[E2E_ASSET])
    def produce() -> None:
        print(f"E2E_ASSET produced {ASSET_URI}")

    produce()


e2e_asset_producer()
