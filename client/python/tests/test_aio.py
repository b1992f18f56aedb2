"""greengate.aio.Client: the same calls as coroutines, on grpc.aio."""

import asyncio

import pytest

import greengate
import greengate.aio

from frames import frame


def test_async_flow(server):
    async def flow():
        async with greengate.aio.Client(server.address) as gg:
            await gg.register_model("churn", version="v1")
            with pytest.raises(greengate.AlreadyExists):
                await gg.register_model("churn", version="v1")
            await gg.set_reference("churn", frame(1000, seed=1), accuracy=0.9,
                                   evaluation_rows=500)
            d = await gg.should_retrain("churn", frame(1000, seed=2),
                                        plan=greengate.Plan(hours=1, cpu_cores=8, region="FR"))
            listed = [x.name async for x in gg.list_decisions("churn")]
            assert listed == [d.name]
            assert (await gg.get_decision(d.name)).verdict == d.verdict
            assert [m.name for m in await gg.list_models()] == ["models/churn"]
            with pytest.raises(greengate.NotFound):
                await gg.get_policy("nope")
    asyncio.run(flow())
