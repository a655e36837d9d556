"""ankommen progress tracking: what course providers report about their participants."""
