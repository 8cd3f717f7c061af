print("convtutor")
