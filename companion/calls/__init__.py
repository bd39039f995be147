"""Call awareness: idle / on call, handle time, the reset offer after long or tough calls."""
