"""What falls due and when: reminders and the branch's calendar."""
