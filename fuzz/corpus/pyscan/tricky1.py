revision: str = f"{x}"
down_revision = (
  "a",
  "b",  # c
)
branch_labels = (cli.CONTRACT_BRANCH,)
if x:
	revision = "z"
def upgrade(): pass
class A:
    def downgrade(self): ...
