"""Makes Tests/NetworksTests/Fixtures: a LeNet-5 checkpoint written by PyTorch (safetensors) and
PyTorch's logits for two fixed inputs, so the tests can show that a file PyTorch wrote loads in
ConvTutor and gives PyTorch's answers.

    python3 -m venv /tmp/peer && /tmp/peer/bin/pip install -q torch numpy safetensors
    /tmp/peer/bin/python tools/pytorch_lenet_fixture.py

The network is ../shared/bench/lenet_peer.py's LeNet5 (copied here, since that script runs a
benchmark when imported).
"""
import json, os
import torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import save_file


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2); self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120); self.fc2 = nn.Linear(120, 84); self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1))); x = F.relu(self.fc2(x))
        return self.fc3(x)


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Tests', 'NetworksTests', 'Fixtures')
torch.manual_seed(7)
model = LeNet5()
save_file(model.state_dict(), os.path.join(out, 'pytorch-lenet5.safetensors'))
torch.manual_seed(8)
x = torch.rand(2, 1, 28, 28)
with torch.no_grad():
    logits = model(x)
with open(os.path.join(out, 'pytorch-lenet5-logits.json'), 'w') as f:
    json.dump({'input': x.flatten().tolist(), 'logits': logits.flatten().tolist()}, f)
