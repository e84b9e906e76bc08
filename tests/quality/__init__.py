"""Quality checks: each model beats the baseline it exists to beat, on data
planted with what the model is built to learn."""
