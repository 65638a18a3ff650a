"""e2e_mapped: dynamic task mapping over 3 items, then a reduce step."""

import pendulum

try:  # Airflow 3 (Task SDK)
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.x (scripts/airflow/up2.sh)
    from airflow.decorators import dag, task

MAPPED_ITEMS = [1, 2, 3]


@dag(
    dag_id="e2e_mapped",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["e2e"],
    doc_md="Maps `double` over 3 items (map_index 0..2) and sums the results.",
)
def e2e_mapped():
    @task(task_id="items")
    def items() -> list[int]:
        return list(MAPPED_ITEMS)

    @task(task_id="double", retries=0)
    def double(x: int) -> int:
        print(f"E2E_MAPPED item={x}")
        return x * 2

    @task(task_id="total")
    def total(values) -> int:
        result = sum(values)
        print(f"E2E_MAPPED total={result}")
        return result

    total(double.expand(x=items()))


e2e_mapped()
