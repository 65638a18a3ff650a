"""e2e_asset_consumer: scheduled on Asset("e2e://dataset/one")."""

import pendulum

try:  # Airflow 3 (Task SDK)
    from airflow.sdk import Asset, dag, task
except ImportError:  # Airflow 2.x (scripts/airflow/up2.sh)
    from airflow.decorators import dag, task
    from airflow.datasets import Dataset as Asset

ASSET_URI = "e2e://dataset/one"


@dag(
    dag_id="e2e_asset_consumer",
    schedule=[Asset(ASSET_URI)],
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["e2e"],
    doc_md=f"Runs whenever `{ASSET_URI}` gets an event (see `e2e_asset_producer`).",
)
def e2e_asset_consumer():
    @task(task_id="consume")
    def consume(**context) -> None:
        events = context.get("triggering_asset_events") or context.get("triggering_dataset_events") or {}
        print(f"E2E_ASSET consumed {ASSET_URI} events={len(events)}")

    consume()


e2e_asset_consumer()
